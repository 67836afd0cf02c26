import { z } from "zod";

/**
 * Passwords people pick first; the length rule alone lets them through. Short on purpose: the
 * check refuses the obvious, a breached-password service is the place for the rest.
 */
const COMMON = new Set([
  "12345678",
  "123456789",
  "1234567890",
  "0123456789",
  "87654321",
  "11111111",
  "00000000",
  "password",
  "password1",
  "password12",
  "password123",
  "passw0rd",
  "qwertyui",
  "qwertyuiop",
  "qwerty123",
  "asdfghjkl",
  "1q2w3e4r",
  "1qaz2wsx",
  "zaq12wsx",
  "abcdefgh",
  "abc12345",
  "iloveyou",
  "sunshine",
  "princess",
  "football",
  "baseball",
  "superman",
  "trustno1",
  "welcome1",
  "letmein1",
  "changeme",
]);

/** Why `password` is refused under a minimum length of `minLength`, or undefined if it is not. */
export function passwordProblem(password: string, minLength: number): string | undefined {
  // Counted as the hash sees it (NFKC), in characters rather than UTF-16 units.
  const normalised = password.normalize("NFKC");
  if ([...normalised].length < minLength) return `at least ${minLength} characters`;
  if (normalised.trim() === "") return "not only spaces";
  if (new Set(normalised).size === 1) return "not one character repeated";
  if (COMMON.has(normalised.toLowerCase())) return "too common: it is among the first ones tried";
  return undefined;
}

/** A new password as request bodies give it, checked against the policy. */
export function newPasswordSchema(minLength: number) {
  return z
    .string()
    .max(256, "at most 256 characters")
    .superRefine((password, ctx) => {
      const problem = passwordProblem(password, minLength);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}
