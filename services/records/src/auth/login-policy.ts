import { AttemptWindow } from "./attempt-window.ts";

/** How long failed logins count against an account. */
export const ACCOUNT_WINDOW_MS = 15 * 60_000;

/** What the auth routes allow: request rates, new passwords, failed logins. */
export interface LoginPolicy {
  /** The per-address limit of the other auth routes (@fastify/rate-limit's route settings). */
  perAddress: { max: number; timeWindow: number };
  /**
   * Login attempts per address, over every login route (`/api/auth/login` and PocketBase's
   * `auth-with-password`) together: one client guessing many accounts.
   */
  addresses: AttemptWindow;
  /**
   * Failed logins per account, over every login route and address: many addresses guessing one
   * account. Unknown emails count like real ones, so the answers do not tell which exist.
   */
  accounts: AttemptWindow;
  passwordMinLength: number;
}

/** The policy from the service's settings. */
export function loginPolicy(settings: {
  /** Requests per minute per client address. */
  authRateLimit: number;
  passwordMinLength: number;
  /** Failed logins per account within ACCOUNT_WINDOW_MS. */
  loginFailuresPerAccount: number;
}): LoginPolicy {
  return {
    perAddress: { max: settings.authRateLimit, timeWindow: 60_000 },
    addresses: new AttemptWindow(settings.authRateLimit, 60_000, "login attempts"),
    accounts: new AttemptWindow(
      settings.loginFailuresPerAccount,
      ACCOUNT_WINDOW_MS,
      "failed logins for this account",
    ),
    passwordMinLength: settings.passwordMinLength,
  };
}
