import { HttpTransport, Sse } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Redacted } from "effect"

const parse = (chunks: ReadonlyArray<string>) => {
  const events: Array<Sse.Event> = []
  const retries: Array<number> = []
  const parser = Sse.makeParser((event) => events.push(event), (millis) => retries.push(millis))
  for (const chunk of chunks) parser.push(chunk)
  return { events, retries }
}

const stream = "id: 1\nretry: 500\ndata: \n\n" +
  ": a comment\r\nevent: message\r\ndata: {\"a\":\r\ndata: 1}\r\nid: 2\r\n\r\n" +
  "data: last\n\n" +
  "data: unfinished"

describe("Sse.makeParser", () => {
  it("reads events however the text is cut", () => {
    const whole = parse([stream])
    assert.deepStrictEqual(whole.events, [
      { event: undefined, data: "", id: "1" },
      { event: "message", data: "{\"a\":\n1}", id: "2" },
      { event: undefined, data: "last", id: "2" }
    ])
    assert.deepStrictEqual(whole.retries, [500])
    for (let size = 1; size <= 7; size++) {
      const chunks: Array<string> = []
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.slice(at, at + size))
      assert.deepStrictEqual(parse(chunks), whole, `chunks of ${size}`)
    }
  })

  it("reads a long event in pieces", () => {
    const data = JSON.stringify({ text: "x".repeat(1 << 20) })
    const text = `event: message\ndata: ${data}\n\n`
    const chunks: Array<string> = []
    for (let at = 0; at < text.length; at += 65536) chunks.push(text.slice(at, at + 65536))
    const { events } = parse(chunks)
    assert.strictEqual(events.length, 1)
    assert.strictEqual(events[0].data, data)
  })
})

describe("HttpTransport credentials", () => {
  it("the parser tells how much of an unfinished event it holds", () => {
    const parser = Sse.makeParser(() => undefined)
    parser.push("data: 12345\ndata: 678")
    assert.strictEqual(parser.held(), 5 + "data: 678".length)
    parser.push("\n\n")
    assert.strictEqual(parser.held(), 0)
  })

  it("collects every secret the options send, and says what kind they are", () => {
    const given = HttpTransport.credentials({
      url: "http://me:p%40ss-word@example.com/mcp?api_key=k-12345&page=2",
      bearer: Redacted.make("bearer-12345"),
      headers: { "x-token": "header-12345" }
    })
    assert.strictEqual(given.kind, "static")
    for (const secret of ["bearer-12345", "header-12345", "p@ss-word", "k-12345", btoa("me:p@ss-word")]) {
      assert.isTrue(given.secrets.has(secret), secret)
    }
    assert.strictEqual(HttpTransport.credentials({ url: "http://example.com/mcp" }).kind, "none")
    const text = HttpTransport.redact("echo: Bearer bearer-12345 and p%40ss-word and k-12345", given)
    assert.strictEqual(text, "echo: Bearer [redacted] and [redacted] and [redacted]")
  })

  it("shows URLs without their credentials", () => {
    assert.strictEqual(
      HttpTransport.displayUrl(new URL("http://me:secret@example.com/mcp?token=abc&page=2")),
      "http://example.com/mcp?token=redacted&page=2"
    )
    assert.strictEqual(HttpTransport.displayUrl(new URL("http://example.com/mcp")), "http://example.com/mcp")
  })

  it("refusal errors redact what they show and advise for what was given", () => {
    const credentials = HttpTransport.credentials({ url: "http://example.com", bearer: Redacted.make("tok-98765") })
    const error = HttpTransport.httpStatusError({
      status: 401,
      detail: "HTTP 401: bad token tok-98765",
      cause: new Error("tok-98765"),
      credentials
    })
    for (const shown of [error.message, JSON.stringify(error), String(error), String(error.cause)]) {
      assert.notInclude(shown, "tok-98765")
    }
    assert.include(error.message, "Check the bearer token and headers you gave")
    assert.include(HttpTransport.unauthorizedAdvice("none"), "none were given")
    assert.include(HttpTransport.unauthorizedAdvice("provider"), "Sign in again")
  })
})
