import type { User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { type FieldErrors, fieldErrors } from "@tidings/service";
import { z } from "zod";
import { verifyPassword } from "../auth/password.ts";
import { newPasswordSchema } from "../auth/password-policy.ts";
import { normaliseEmail } from "../auth/users.ts";
import type { UserChange } from "../users/user-store.ts";

// What a client may send back from a record it read; ignored, as on other collections' records.
const SYSTEM = {
  collectionId: z.unknown().optional(),
  collectionName: z.unknown().optional(),
  created: z.unknown().optional(),
  updated: z.unknown().optional(),
  expand: z.unknown().optional(),
};

/**
 * The bodies of `users` records as the PocketBase SDK sends them: the account's fields, the
 * password twice (`passwordConfirm`), on update by the user themself also `oldPassword`.
 * `emailVisibility` is accepted and ignored: emails are shown to the user and superusers only.
 */
export function recordBodies(passwordMinLength: number) {
  const fields = {
    email: z.email().max(254),
    password: newPasswordSchema(passwordMinLength),
    passwordConfirm: z.string().max(256),
    name: z.string().max(200).optional(),
    verified: z.boolean().optional(),
    emailVisibility: z.boolean().optional(),
  };
  return {
    // `id` is refused below with a reason: user ids are chosen by the server.
    create: z.strictObject({ ...fields, id: z.unknown().optional(), ...SYSTEM }),
    update: z
      .strictObject({ ...fields, id: z.unknown(), oldPassword: z.string().max(256), ...SYSTEM })
      .partial(),
  };
}

export type RecordBodies = ReturnType<typeof recordBodies>;

const problem = (code: string, message: string) => ({ code, message });

// Validates like parseInput, adding the checks across fields; every problem reported at once.
function validate<T>(schema: z.ZodType<T>, body: unknown, more: (errors: FieldErrors) => void): T {
  const result = schema.safeParse(body);
  const errors = result.success ? {} : fieldErrors(result.error.issues);
  more(errors);
  if (result.success && Object.keys(errors).length === 0) return result.data;
  throw new TidingsError("VALIDATION_FAILED", "The body has invalid or missing values.", errors);
}

// PocketBase's rule: a password and its confirmation go together and must be equal.
function checkConfirmation(body: Record<string, unknown>, errors: FieldErrors, required: boolean) {
  const given = body.password !== undefined || body.passwordConfirm !== undefined;
  if (required || given) {
    if (body.password === undefined) errors.password ??= problem("required", "required");
    if (body.passwordConfirm === undefined)
      errors.passwordConfirm ??= problem("required", "required");
  }
  if (body.passwordConfirm !== undefined && body.passwordConfirm !== body.password)
    errors.passwordConfirm ??= problem("mismatch", "must equal password");
}

const asObject = (body: unknown) =>
  typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};

/**
 * A new account from a `users` record body. Only a superuser may create it verified; anyone else
 * is signing up (PocketBase's open create rule), as `/api/auth/register`.
 */
export function parseRecordCreate(
  bodies: RecordBodies,
  body: unknown,
  superuser: boolean,
): { email: string; password: string; name?: string | undefined; verified?: boolean | undefined } {
  const fields = asObject(body);
  const input = validate(bodies.create, body, (errors) => {
    checkConfirmation(fields, errors, true);
    if (fields.id !== undefined)
      errors.id ??= problem("not_allowed", "the ids of users are chosen by the server");
    if (!superuser && fields.verified === true)
      errors.verified ??= problem("managed", "only a superuser may verify an account");
  });
  return {
    email: input.email,
    password: input.password,
    name: input.name,
    verified: input.verified,
  };
}

/**
 * A change of an account from a `users` record body. A superuser may change anything here; the
 * user themself only their name and, giving the current one as `oldPassword`, their password
 * (PocketBase's rules for a record's owner without manage access).
 */
export async function parseRecordUpdate(
  bodies: RecordBodies,
  body: unknown,
  current: User,
  superuser: boolean,
): Promise<UserChange> {
  const fields = asObject(body);
  const input = validate(bodies.update, body, (errors) => {
    checkConfirmation(fields, errors, false);
    if (superuser) return;
    if (typeof fields.email === "string" && normaliseEmail(fields.email) !== current.email)
      errors.email ??= problem("managed", "only a superuser may change the email");
    if (fields.verified !== undefined && fields.verified !== current.verified)
      errors.verified ??= problem("managed", "only a superuser may change verified");
    if (fields.password !== undefined && typeof fields.oldPassword !== "string")
      errors.oldPassword ??= problem("required", "required to change the password");
  });
  if (!superuser && input.password !== undefined) {
    // Checked last, once the rest is valid: it costs a password hash.
    if (!(await verifyPassword(input.oldPassword ?? "", current.passwordHash))) {
      throw new TidingsError("VALIDATION_FAILED", "The body has invalid or missing values.", {
        oldPassword: problem("invalid_old_password", "missing or invalid old password"),
      });
    }
  }
  return {
    email: superuser ? input.email : undefined,
    name: input.name,
    password: input.password,
    verified: superuser ? input.verified : undefined,
  };
}
