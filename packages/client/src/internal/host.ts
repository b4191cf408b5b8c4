/**
 * The process the client runs in, when the platform has one (Node, Bun,
 * Deno's Node layer): read through `globalThis`, so that the core needs no
 * Node types and runs where there is none.
 *
 * @internal
 */

/**
 * What the core reads of the host process.
 *
 * @internal
 */
export interface HostProcess {
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly platform?: string | undefined
  readonly execPath?: string | undefined
  readonly release?: { readonly name?: string | undefined } | undefined
  readonly kill?: ((pid: number, signal?: string | number) => boolean) | undefined
}

/**
 * The host process, or `undefined` on a platform without one.
 *
 * @internal
 */
export const hostProcess = (): HostProcess | undefined =>
  (globalThis as { readonly process?: HostProcess | undefined }).process
