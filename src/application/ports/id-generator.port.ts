/** The source of new person ids. */
export interface IdGenerator {
  /** A new UUID in canonical lowercase form. */
  next(): string;
}
