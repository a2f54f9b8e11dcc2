// WebAuthn in the browser (W3C WebAuthn Level 3): the server's options arrive as JSON with base64url byte fields
// (Fido2's shapes), navigator.credentials turns them into credentials, and the results go back as JSON with
// base64url fields. The PRF extension (§10.1.4) gives a passkey a 32-byte secret per salt; it never leaves this
// page: only the key set derived with it is sent (sharing doc §5.6).
import { fromBase64Url, toBase64Url } from './crypto';

/** Server options as JSON (Fido2's CredentialCreateOptions / AssertionOptions). */
export type JsonOptions = Record<string, unknown> & { challenge: string };

interface JsonDescriptor {
  type?: string;
  id: string;
  transports?: string[];
}

/** Whether this browser can use WebAuthn at all (a secure context with PublicKeyCredential). */
export function webAuthnAvailable(): boolean {
  return typeof window !== 'undefined' && 'PublicKeyCredential' in window && !!navigator.credentials;
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] {
  return ((list as JsonDescriptor[] | null | undefined) ?? []).map((d) => ({
    type: 'public-key',
    id: fromBase64Url(d.id),
    ...(d.transports ? { transports: d.transports as AuthenticatorTransport[] } : {}),
  }));
}

/** `publicKey` creation options from the server's JSON: challenge, user id and excluded ids decoded. */
export function creationOptions(json: JsonOptions): PublicKeyCredentialCreationOptions {
  const user = json.user as { id: string; name: string; displayName: string };
  const selection = (json.authenticatorSelection ?? {}) as AuthenticatorSelectionCriteria;
  return {
    rp: json.rp as PublicKeyCredentialRpEntity,
    user: { id: fromBase64Url(user.id), name: user.name, displayName: user.displayName },
    challenge: fromBase64Url(json.challenge),
    pubKeyCredParams: (json.pubKeyCredParams as PublicKeyCredentialParameters[]) ?? [],
    timeout: (json.timeout as number | undefined) ?? 60000,
    excludeCredentials: descriptors(json.excludeCredentials),
    authenticatorSelection: Object.fromEntries(Object.entries(selection).filter(([, v]) => v !== null && v !== undefined)),
    attestation: ((json.attestation as AttestationConveyancePreference | undefined) ?? 'none'),
  };
}

/** `publicKey` request options from the server's JSON (login challenges, `TwoFactorProviders2["7"]`). */
export function requestOptions(json: JsonOptions): PublicKeyCredentialRequestOptions {
  return {
    challenge: fromBase64Url(json.challenge),
    timeout: (json.timeout as number | undefined) ?? 60000,
    rpId: json.rpId as string | undefined,
    allowCredentials: descriptors(json.allowCredentials),
    userVerification: ((json.userVerification as UserVerificationRequirement | undefined) ?? 'preferred'),
  };
}

const bytes = (buffer: ArrayBuffer | null | undefined): string | null => (buffer ? toBase64Url(new Uint8Array(buffer)) : null);

/** The credential's envelope around `response`; `extensions` stays empty so no PRF output is ever sent. */
function credentialJson<R>(credential: PublicKeyCredential, response: R) {
  return { id: credential.id, rawId: bytes(credential.rawId), type: 'public-key', extensions: {}, response };
}

/** A new credential as the JSON the server parses (attestationObject, clientDataJSON, transports). */
export function attestationJson(credential: PublicKeyCredential) {
  const response = credential.response as AuthenticatorAttestationResponse;
  return credentialJson(credential, {
    attestationObject: bytes(response.attestationObject),
    clientDataJSON: bytes(response.clientDataJSON),
    transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
  });
}

/** An assertion as the JSON the server parses (authenticatorData, clientDataJSON, signature, userHandle). */
export function assertionJson(credential: PublicKeyCredential) {
  const response = credential.response as AuthenticatorAssertionResponse;
  return credentialJson(credential, {
    authenticatorData: bytes(response.authenticatorData),
    clientDataJSON: bytes(response.clientDataJSON),
    signature: bytes(response.signature),
    userHandle: bytes(response.userHandle),
  });
}

// The PRF extension is not in every TypeScript DOM library yet: its inputs and outputs, typed here.
interface PrfInputs {
  prf?: { eval?: { first: BufferSource } };
}
interface PrfOutputs {
  prf?: { enabled?: boolean; results?: { first?: ArrayBuffer } };
}

/**
 * `navigator.credentials.create()`. With `prf`, asks the authenticator to enable PRF; `prfEnabled` says whether it did.
 * A cancelled dialog or a refusal rejects.
 */
export async function createCredential(options: JsonOptions, prf: boolean): Promise<{ credential: PublicKeyCredential; prfEnabled: boolean }> {
  const publicKey = creationOptions(options);
  if (prf) (publicKey as PublicKeyCredentialCreationOptions & { extensions: PrfInputs }).extensions = { prf: {} };
  const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  if (!credential) throw new Error('No credential was created.');
  const outputs = credential.getClientExtensionResults() as PrfOutputs;
  return { credential, prfEnabled: outputs.prf?.enabled === true };
}

/**
 * `navigator.credentials.get()`. With `prfSalt`, evaluates PRF over it; `prf` is the 32-byte output when the
 * authenticator gave one.
 */
export async function getAssertion(options: PublicKeyCredentialRequestOptions, prfSalt?: Uint8Array<ArrayBuffer>): Promise<{ credential: PublicKeyCredential; prf: Uint8Array<ArrayBuffer> | null }> {
  const publicKey: PublicKeyCredentialRequestOptions & { extensions?: PrfInputs } = { ...options };
  if (prfSalt) publicKey.extensions = { prf: { eval: { first: prfSalt } } };
  const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
  if (!credential) throw new Error('No passkey was chosen.');
  const first = (credential.getClientExtensionResults() as PrfOutputs).prf?.results?.first;
  return { credential, prf: first ? new Uint8Array(first.slice(0)) : null };
}
