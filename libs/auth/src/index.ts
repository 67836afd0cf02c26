export { type AuthUser, isSuperuser, toAuthUser } from "./auth-user.ts";
export { resolveJwtSecret } from "./jwt-secret.ts";
export {
  registerRequestAuth,
  requireSuperuser,
  requireUser,
  tokenFromHeader,
} from "./request-auth.ts";
export {
  createTokenService,
  type IssueOptions,
  type TokenOptions,
  type TokenService,
  type VerifiedToken,
} from "./tokens.ts";
export { userCache } from "./user-cache.ts";
