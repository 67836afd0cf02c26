import type { AuthUser, TokenService } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";
import { z } from "zod";
import type { Credential } from "../../connections/credentials.ts";

/**
 * What the auth endpoint signs, as `channel_data`, into a channel it authorizes for a signed-in
 * user (a presence member, a Velo channel issued to the user): the user, and the fingerprint of the
 * user's token key at that moment (null for a user of the identity provider, who has none here).
 */
export async function signedUser(
  tokens: TokenService,
  user: AuthUser,
): Promise<{ user_id: string; key_fingerprint: string | null }> {
  return { user_id: user.id, key_fingerprint: (await tokens.keyFingerprint(user.id)) ?? null };
}

/** `key_fingerprint` as read back from signed channel data; absent when another signer made it. */
export const keyFingerprintField = z.string().max(64).nullable().optional();

/**
 * The credential by which a connection holds a channel signed for `userId` with `keyFingerprint`
 * (a user of the identity provider has none): it holds while the user's token key is still that
 * one, so that a token revoked after the channel was signed, even before the connection
 * subscribes, does not keep it. Channel data another signer made names no key: the key as it is now
 * is taken. `UNAUTHORIZED` if it no longer holds already.
 */
export async function signedCredential(
  tokens: TokenService,
  userId: string,
  keyFingerprint: string | null | undefined,
): Promise<Credential> {
  const granted =
    keyFingerprint === undefined
      ? await tokens.keyFingerprint(userId)
      : (keyFingerprint ?? undefined);
  const credential = async () => (await tokens.keyFingerprint(userId)) === granted;
  if (!(await credential()))
    throw new TidingsError("UNAUTHORIZED", "The sign-in this channel was signed for was revoked.");
  return credential;
}

const signedUserData = z.object({ user_id: z.string(), key_fingerprint: keyFingerprintField });

/** The user and key fingerprint of signed channel data; undefined when it names no user. */
export function readSignedUser(
  channelData: string | undefined,
): z.infer<typeof signedUserData> | undefined {
  if (channelData === undefined) return undefined;
  try {
    const parsed = signedUserData.safeParse(JSON.parse(channelData));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
