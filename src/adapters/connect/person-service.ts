import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { callSignal } from "./call-signal.ts";
import { PersonService } from "../../../gen/person/v1/person_pb.js";
import type { PersonUseCases } from "../../application/use-cases/person-use-cases.ts";
import { toResponse } from "./person.mapper.ts";

/**
 * The PersonService implementation: translate each request into a use-case
 * call, and the result into a response. The RPC's signal (deadline, client
 * cancel, shutdown, or the default deadline) reaches the store.
 */
export function createPersonService(
  useCases: PersonUseCases,
  options: { defaultDeadlineMs: number } = { defaultDeadlineMs: 0 },
): ServiceImpl<typeof PersonService> {
  const call = (ctx: HandlerContext) => ({ signal: callSignal(ctx, options.defaultDeadlineMs) });
  return {
    async getPerson(req, ctx) {
      return { person: toResponse(await useCases.getPerson(req, call(ctx))) };
    },
    async listPeople(req, ctx) {
      const page = await useCases.listPeople(req, call(ctx));
      return { people: page.people.map(toResponse), nextPageToken: page.nextPageToken };
    },
    async createPerson(req, ctx) {
      const person = await useCases.createPerson(
        { ...req, middleName: req.middleName ?? null, suffix: req.suffix ?? null },
        call(ctx),
      );
      return { person: toResponse(person) };
    },
    async updatePerson(req, ctx) {
      const person = await useCases.updatePerson(
        { ...req, middleName: req.middleName ?? null, suffix: req.suffix ?? null },
        call(ctx),
      );
      return { person: toResponse(person) };
    },
    async deletePerson(req, ctx) {
      await useCases.deletePerson(req, call(ctx));
      return {};
    },
  };
}
