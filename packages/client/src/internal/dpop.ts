/**
 * DPoP (RFC 9449): a key pair made with WebCrypto (ES256), and the proof JWT
 * that goes with each request it protects.
 *
 * @internal
 */

/** @internal */
export interface DpopKey {
  readonly privateKey: CryptoKey
  readonly publicJwk: JsonWebKey
}

/** @internal A key kept with credentials: the private JWK (it is as secret as the tokens beside it). */
export interface StoredDpopKey {
  readonly privateJwk: JsonWebKey
}

const algorithm = { name: "ECDSA", namedCurve: "P-256" } as const

const base64url = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const encoder = new TextEncoder()
const encodeJson = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)))

const publicPart = (jwk: JsonWebKey): JsonWebKey => ({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! })

/** @internal */
export const generate = async (): Promise<DpopKey> => {
  const pair = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])
  return { privateKey: pair.privateKey, publicJwk: publicPart(await crypto.subtle.exportKey("jwk", pair.publicKey)) }
}

/** @internal */
export const exportKey = async (key: DpopKey): Promise<StoredDpopKey> => ({
  privateJwk: await crypto.subtle.exportKey("jwk", key.privateKey)
})

/** @internal Undefined when the stored key is not an ES256 private key. */
export const importKey = async (stored: StoredDpopKey): Promise<DpopKey | undefined> => {
  const jwk = stored.privateJwk
  if (jwk?.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.d !== "string") return undefined
  try {
    const privateKey = await crypto.subtle.importKey("jwk", jwk, algorithm, true, ["sign"])
    return { privateKey, publicJwk: publicPart(jwk) }
  } catch {
    return undefined
  }
}

/** `htu`: the request's URL without its query and fragment (RFC 9449 §4.2). */
const targetUri = (url: string): string => {
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname}`
}

/**
 * A fresh proof for one request: `htm`, `htu`, a unique `jti`, `iat`, the
 * server's nonce when it gave one, and `ath` (the access token's hash) on
 * resource requests.
 *
 * @internal
 */
export const proof = async (key: DpopKey, request: {
  readonly method: string
  readonly url: string
  readonly nonce?: string | undefined
  readonly accessToken?: string | undefined
}): Promise<string> => {
  const header = { typ: "dpop+jwt", alg: "ES256", jwk: key.publicJwk }
  const payload: Record<string, unknown> = {
    jti: crypto.randomUUID(),
    htm: request.method.toUpperCase(),
    htu: targetUri(request.url),
    iat: Math.floor(Date.now() / 1000)
  }
  if (request.nonce !== undefined) payload.nonce = request.nonce
  if (request.accessToken !== undefined) {
    payload.ath = base64url(
      new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(request.accessToken)))
    )
  }
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    key.privateKey,
    encoder.encode(signingInput)
  )
  return `${signingInput}.${base64url(new Uint8Array(signature))}`
}

/** Whether a `WWW-Authenticate` value or an error body asks for a DPoP nonce. */
export const asksForNonce = (text: string | undefined): boolean => text !== undefined && /use_dpop_nonce/.test(text)
