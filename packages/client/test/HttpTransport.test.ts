import { HttpTransport } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"

const parse = (chunks: ReadonlyArray<string>) => {
  const events: Array<HttpTransport.SseEvent> = []
  const retries: Array<number> = []
  const parser = HttpTransport.makeSseParser((event) => events.push(event), (millis) => retries.push(millis))
  for (const chunk of chunks) parser.push(chunk)
  return { events, retries }
}

const stream = "id: 1\nretry: 500\ndata: \n\n" +
  ": a comment\r\nevent: message\r\ndata: {\"a\":\r\ndata: 1}\r\nid: 2\r\n\r\n" +
  "data: last\n\n" +
  "data: unfinished"

describe("HttpTransport.makeSseParser", () => {
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
