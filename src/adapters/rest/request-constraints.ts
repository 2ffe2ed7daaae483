import type { z } from "zod";
import { createPersonSchema } from "../../application/use-cases/create-person.ts";
import { deletePersonSchema } from "../../application/use-cases/delete-person.ts";
import { getPersonSchema } from "../../application/use-cases/get-person.ts";
import { listPeopleSchema } from "../../application/use-cases/list-people.ts";
import { updatePersonSchema } from "../../application/use-cases/update-person.ts";

/** The use cases' input schemas by request message: the OpenAPI document shows their constraints. */
export const personRequestConstraints: Readonly<Record<string, z.ZodType>> = {
  "person.v1.GetPersonRequest": getPersonSchema,
  "person.v1.ListPeopleRequest": listPeopleSchema,
  "person.v1.CreatePersonRequest": createPersonSchema,
  "person.v1.UpdatePersonRequest": updatePersonSchema,
  "person.v1.DeletePersonRequest": deletePersonSchema,
};
