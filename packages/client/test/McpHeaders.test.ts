import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as McpHeaders from "../src/internal/mcpHeaders.js"

// what a server or intermediary does with a header value (streamable-http.mdx §Value Encoding)
const decode = (value: string): string => {
  const sentinel = /^=\?base64\?(.*)\?=$/.exec(value)
  return sentinel === null ? value : Buffer.from(sentinel[1], "base64").toString("utf-8")
}

const valid = (tool: { readonly name: string; readonly inputSchema?: unknown }) => {
  const result = McpHeaders.toolHeaders(tool)
  if ("invalid" in result) assert.fail(`expected a valid tool, got: ${result.invalid}`)
  return result.headers
}

const invalid = (tool: { readonly name: string; readonly inputSchema?: unknown }): string => {
  const result = McpHeaders.toolHeaders(tool)
  if ("headers" in result) assert.fail(`expected ${tool.name} to be rejected`)
  return result.invalid
}

const withProperty = (name: string, property: unknown) => ({
  name,
  inputSchema: { type: "object", properties: { value: property } }
})

describe("encodeHeaderValue", () => {
  it("follows the encoding examples of streamable-http.mdx §Value Encoding", () => {
    assert.strictEqual(McpHeaders.encodeHeaderValue("us-west1"), "us-west1")
    assert.strictEqual(McpHeaders.encodeHeaderValue("Hello, 世界"), "=?base64?SGVsbG8sIOS4lueVjA==?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue(" padded "), "=?base64?IHBhZGRlZCA=?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("line1\nline2"), "=?base64?bGluZTEKbGluZTI=?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("=?base64?literal?="), "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=")
  })

  it("follows the value-encoding edge cases of SEP-2243 §Conformance Test Cases", () => {
    assert.strictEqual(McpHeaders.encodeHeaderValue(" us-west1"), "=?base64?IHVzLXdlc3Qx?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("us-west1 "), "=?base64?dXMtd2VzdDEg?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue(" us-west1 "), "=?base64?IHVzLXdlc3QxIA==?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("us west 1"), "us west 1")
    assert.strictEqual(McpHeaders.encodeHeaderValue("日本語"), "=?base64?5pel5pys6Kqe?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("line1\r\nline2"), "=?base64?bGluZTENCmxpbmUy?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("\tindented"), "=?base64?CWluZGVudGVk?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue(""), "")
  })

  it("encodes every control character, interior tab and DEL included", () => {
    assert.strictEqual(McpHeaders.encodeHeaderValue("a\tb"), "=?base64?YQli?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("a\x7fb"), "=?base64?YX9i?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("\0"), "=?base64?AA==?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("trailing\t"), "=?base64?dHJhaWxpbmcJ?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("é"), "=?base64?w6k=?=")
  })

  it("encodes a literal only when it both starts and ends like the (case-sensitive) sentinel", () => {
    assert.strictEqual(McpHeaders.encodeHeaderValue("=?base64?="), "=?base64?PT9iYXNlNjQ/PQ==?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("=?base64?abc"), "=?base64?abc")
    assert.strictEqual(McpHeaders.encodeHeaderValue("abc?="), "abc?=")
    assert.strictEqual(McpHeaders.encodeHeaderValue("=?BASE64?SGVsbG8=?="), "=?BASE64?SGVsbG8=?=")
  })

  it("sends visible ASCII as is", () => {
    assert.strictEqual(
      McpHeaders.encodeHeaderValue("file:///path/to/file%20name.txt"),
      "file:///path/to/file%20name.txt"
    )
    assert.strictEqual(
      McpHeaders.encodeHeaderValue("https://example.com/resource?id=123"),
      "https://example.com/resource?id=123"
    )
    assert.strictEqual(
      McpHeaders.encodeHeaderValue("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
      "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    )
  })

  it("always gives a header-safe value that decodes to the original", () => {
    // visible ASCII at both ends, space allowed inside
    const safe = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/
    // valid code points, ASCII (control characters included) as often as all the rest
    const codePoint = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.oneof(fc.integer({ min: 0x80, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
    ).map((n) => String.fromCodePoint(n))
    const text = fc.string({ unit: codePoint })
    const anyString = fc.oneof(text, text.map((s) => `=?base64?${s}?=`))
    fc.assert(
      fc.property(anyString, (s) => {
        const encoded = McpHeaders.encodeHeaderValue(s)
        const sentinel = encoded.startsWith("=?base64?") && encoded.endsWith("?=")
        return safe.test(encoded) && decode(encoded) === s && (encoded === s) === !sentinel
      }),
      { numRuns: 1000 }
    )
  })
})

describe("methodHeaders", () => {
  it("names tools/call by params.name, as in the example of §Standard Request Headers", () => {
    assert.deepStrictEqual(
      McpHeaders.methodHeaders("tools/call", { name: "get_weather", arguments: { location: "Seattle, WA" } }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "get_weather" }
    )
  })

  it("names resources/read by params.uri and prompts/get by params.name", () => {
    assert.deepStrictEqual(
      McpHeaders.methodHeaders("resources/read", { uri: "file:///projects/myapp/config.json" }),
      { "Mcp-Method": "resources/read", "Mcp-Name": "file:///projects/myapp/config.json" }
    )
    assert.deepStrictEqual(
      McpHeaders.methodHeaders("prompts/get", { name: "code_review", arguments: {} }),
      { "Mcp-Method": "prompts/get", "Mcp-Name": "code_review" }
    )
  })

  it("passes the names of the http-standard-headers scenario as is", () => {
    assert.deepStrictEqual(McpHeaders.methodHeaders("tools/call", { name: "test_headers" }), {
      "Mcp-Method": "tools/call",
      "Mcp-Name": "test_headers"
    })
    assert.deepStrictEqual(McpHeaders.methodHeaders("tools/call", { name: "my-hyphenated-tool" }), {
      "Mcp-Method": "tools/call",
      "Mcp-Name": "my-hyphenated-tool"
    })
    assert.deepStrictEqual(McpHeaders.methodHeaders("resources/read", { uri: "file:///path/to/file%20name.txt" }), {
      "Mcp-Method": "resources/read",
      "Mcp-Name": "file:///path/to/file%20name.txt"
    })
    assert.deepStrictEqual(McpHeaders.methodHeaders("resources/read", { uri: "https://example.com/resource?id=123" }), {
      "Mcp-Method": "resources/read",
      "Mcp-Name": "https://example.com/resource?id=123"
    })
    assert.deepStrictEqual(McpHeaders.methodHeaders("prompts/get", { name: "test_prompt" }), {
      "Mcp-Method": "prompts/get",
      "Mcp-Name": "test_prompt"
    })
  })

  it("sends Mcp-Method alone for every other method", () => {
    for (const method of ["server/discover", "tools/list", "resources/list", "prompts/list", "ping", "constructor"]) {
      assert.deepStrictEqual(McpHeaders.methodHeaders(method, { name: "x", uri: "y", cursor: "z" }), {
        "Mcp-Method": method
      })
    }
  })

  it("encodes a name that is not header-safe", () => {
    assert.deepStrictEqual(McpHeaders.methodHeaders("tools/call", { name: "météo" }), {
      "Mcp-Method": "tools/call",
      "Mcp-Name": "=?base64?bcOpdMOpbw==?="
    })
    assert.deepStrictEqual(McpHeaders.methodHeaders("resources/read", { uri: "file:///a b " }), {
      "Mcp-Method": "resources/read",
      "Mcp-Name": "=?base64?ZmlsZTovLy9hIGIg?="
    })
  })

  it("names tasks/get, tasks/update and tasks/cancel by params.taskId (Tasks extension, SEP-2663)", () => {
    for (const method of ["tasks/get", "tasks/update", "tasks/cancel"]) {
      assert.deepStrictEqual(McpHeaders.methodHeaders(method, { taskId: "task-1" }), {
        "Mcp-Method": method,
        "Mcp-Name": "task-1"
      })
    }
  })

  it("leaves Mcp-Name out when the body has no string to mirror", () => {
    assert.deepStrictEqual(McpHeaders.methodHeaders("tools/call", undefined), { "Mcp-Method": "tools/call" })
    assert.deepStrictEqual(McpHeaders.methodHeaders("tools/call", {}), { "Mcp-Method": "tools/call" })
    assert.deepStrictEqual(McpHeaders.methodHeaders("resources/read", { uri: 42 }), { "Mcp-Method": "resources/read" })
  })
})

// the first tool of the http-custom-headers scenario (conformance 0.2.0-alpha.12), descriptions left out
const testCustomHeaders = {
  name: "test_custom_headers",
  inputSchema: {
    type: "object",
    properties: {
      region: { type: "string", "x-mcp-header": "Region" },
      priority: { type: "integer", "x-mcp-header": "Priority" },
      verbose: { type: "boolean", "x-mcp-header": "Verbose" },
      debug: { type: "boolean", "x-mcp-header": "Debug" },
      empty_val: { type: "string", "x-mcp-header": "EmptyVal" },
      method_val: { type: "string", "x-mcp-header": "Method" },
      float_val: { type: "number" },
      non_ascii_val: { type: "string", "x-mcp-header": "NonAscii" },
      whitespace_val: { type: "string", "x-mcp-header": "Whitespace" },
      leading_space_val: { type: "string", "x-mcp-header": "LeadingSpace" },
      trailing_space_val: { type: "string", "x-mcp-header": "TrailingSpace" },
      internal_space_val: { type: "string", "x-mcp-header": "InternalSpace" },
      control_char_val: { type: "string", "x-mcp-header": "ControlChar" },
      crlf_val: { type: "string", "x-mcp-header": "CrLf" },
      tab_val: { type: "string", "x-mcp-header": "Tab" },
      query: { type: "string" }
    },
    required: ["region", "priority", "query"]
  }
}

const testCustomHeadersNull = {
  name: "test_custom_headers_null",
  inputSchema: {
    type: "object",
    properties: {
      region: { type: "string", "x-mcp-header": "Region" },
      priority: { type: "integer", "x-mcp-header": "Priority" },
      verbose: { type: "boolean", "x-mcp-header": "Verbose" },
      query: { type: "string" }
    },
    required: ["region", "priority", "query"]
  }
}

// the tools of the http-invalid-tool-headers scenario, with the constraint each breaks
const invalidTools: ReadonlyArray<readonly [tool: { name: string; inputSchema: unknown }, rule: RegExp]> = [
  [withProperty("invalid_empty_header", { type: "string", "x-mcp-header": "" }), /must not be empty/],
  [{
    name: "invalid_object_header",
    inputSchema: { type: "object", properties: { data: { type: "object", "x-mcp-header": "Data" } } }
  }, /property "data" .*type "object"/],
  [{
    name: "invalid_array_header",
    inputSchema: {
      type: "object",
      properties: { items: { type: "array", items: { type: "string" }, "x-mcp-header": "Items" } }
    }
  }, /property "items" .*type "array"/],
  [{
    name: "invalid_null_header",
    inputSchema: { type: "object", properties: { nil: { type: "null", "x-mcp-header": "Nil" } } }
  }, /property "nil" .*type "null"/],
  [{
    name: "invalid_number_header",
    inputSchema: { type: "object", properties: { score: { type: "number", "x-mcp-header": "Score" } } }
  }, /property "score" .*type "number"/],
  [{
    name: "invalid_duplicate_same_case",
    inputSchema: {
      type: "object",
      properties: {
        field1: { type: "string", "x-mcp-header": "Region" },
        field2: { type: "string", "x-mcp-header": "Region" }
      }
    }
  }, /"Region" on property "field2" duplicates the one on property "field1"/],
  [{
    name: "invalid_duplicate_diff_case",
    inputSchema: {
      type: "object",
      properties: {
        field1: { type: "string", "x-mcp-header": "MyField" },
        field2: { type: "string", "x-mcp-header": "myfield" }
      }
    }
  }, /"myfield" on property "field2" duplicates the one on property "field1" \(compared case-insensitively\)/],
  [withProperty("invalid_space_in_name", { type: "string", "x-mcp-header": "My Region" }), /not an HTTP token/],
  [withProperty("invalid_colon_in_name", { type: "string", "x-mcp-header": "Region:Primary" }), /not an HTTP token/],
  [withProperty("invalid_non_ascii_name", { type: "string", "x-mcp-header": "Région" }), /not an HTTP token/],
  [
    withProperty("invalid_control_char_name", { type: "string", "x-mcp-header": "Region\t1" }),
    /must not contain control characters/
  ]
]

describe("toolHeaders", () => {
  it("reads the example tool of §Schema Extension", () => {
    const headers = valid({
      name: "execute_sql",
      inputSchema: {
        type: "object",
        properties: {
          region: { type: "string", description: "The region to execute the query in", "x-mcp-header": "Region" },
          query: { type: "string", description: "The SQL query to execute" }
        },
        required: ["region", "query"]
      }
    })
    assert.deepStrictEqual(headers, [{ header: "Mcp-Param-Region", path: ["region"] }])
  })

  it("reads the tools of the http-custom-headers scenario, in document order", () => {
    assert.deepStrictEqual(valid(testCustomHeaders), [
      { header: "Mcp-Param-Region", path: ["region"] },
      { header: "Mcp-Param-Priority", path: ["priority"] },
      { header: "Mcp-Param-Verbose", path: ["verbose"] },
      { header: "Mcp-Param-Debug", path: ["debug"] },
      { header: "Mcp-Param-EmptyVal", path: ["empty_val"] },
      // SEP-2243: "Method" is allowed, and gives Mcp-Param-Method, not Mcp-Method
      { header: "Mcp-Param-Method", path: ["method_val"] },
      { header: "Mcp-Param-NonAscii", path: ["non_ascii_val"] },
      { header: "Mcp-Param-Whitespace", path: ["whitespace_val"] },
      { header: "Mcp-Param-LeadingSpace", path: ["leading_space_val"] },
      { header: "Mcp-Param-TrailingSpace", path: ["trailing_space_val"] },
      { header: "Mcp-Param-InternalSpace", path: ["internal_space_val"] },
      { header: "Mcp-Param-ControlChar", path: ["control_char_val"] },
      { header: "Mcp-Param-CrLf", path: ["crlf_val"] },
      { header: "Mcp-Param-Tab", path: ["tab_val"] }
    ])
    assert.strictEqual(valid(testCustomHeadersNull).length, 3)
  })

  it("keeps valid_tool of the http-invalid-tool-headers scenario", () => {
    const headers = valid({
      name: "valid_tool",
      inputSchema: {
        type: "object",
        properties: { region: { type: "string", "x-mcp-header": "Region" } },
        required: ["region"]
      }
    })
    assert.deepStrictEqual(headers, [{ header: "Mcp-Param-Region", path: ["region"] }])
  })

  it("rejects every invalid tool of the http-invalid-tool-headers scenario, naming tool, property and rule", () => {
    for (const [tool, rule] of invalidTools) {
      const reason = invalid(tool)
      assert.include(reason, `tool ${JSON.stringify(tool.name)}`)
      assert.match(reason, rule)
    }
    assert.strictEqual(
      invalid(invalidTools[0][0]),
      "tool \"invalid_empty_header\": x-mcp-header \"\" on property \"value\" must not be empty"
    )
  })

  it("accepts every tchar of RFC 9110, and rejects each delimiter", () => {
    assert.deepStrictEqual(valid(withProperty("t", { type: "string", "x-mcp-header": "A-z_0.9!#$%&'*+^`|~" })), [
      { header: "Mcp-Param-A-z_0.9!#$%&'*+^`|~", path: ["value"] }
    ])
    for (const c of ["\"", "(", ")", ",", "/", ":", ";", "<", "=", ">", "?", "@", "[", "\\", "]", "{", "}", " "]) {
      assert.match(invalid(withProperty("t", { type: "string", "x-mcp-header": `A${c}B` })), /not an HTTP token/)
    }
    for (const c of ["\r", "\n", "\0", "\x7f"]) {
      assert.match(invalid(withProperty("t", { type: "string", "x-mcp-header": `A${c}B` })), /control characters/)
    }
  })

  it("rejects an annotation that is not a string", () => {
    assert.match(
      invalid(withProperty("t", { type: "string", "x-mcp-header": 42 })),
      /42 on property "value" must be a string/
    )
    assert.match(invalid(withProperty("t", { type: "string", "x-mcp-header": null })), /must be a string/)
  })

  it("rejects a property without a single primitive type", () => {
    assert.match(invalid(withProperty("t", { "x-mcp-header": "V" })), /\(it has no type\)/)
    assert.match(invalid(withProperty("t", { enum: ["a", "b"], "x-mcp-header": "V" })), /no type/)
    assert.match(
      invalid(withProperty("t", { type: ["string", "null"], "x-mcp-header": "V" })),
      /type \["string","null"\]/
    )
    assert.deepStrictEqual(valid(withProperty("t", { type: "integer", minimum: 0, "x-mcp-header": "V" })), [
      { header: "Mcp-Param-V", path: ["value"] }
    ])
  })

  it("accepts nested properties reached through properties alone", () => {
    const headers = valid({
      name: "nested",
      inputSchema: {
        type: "object",
        properties: {
          target: {
            type: "object",
            properties: {
              region: { type: "string", "x-mcp-header": "Region" },
              zone: { type: "object", properties: { id: { type: "integer", "x-mcp-header": "Zone" } } }
            }
          },
          // `properties` as a property name is only a name
          properties: { type: "boolean", "x-mcp-header": "Properties" }
        }
      }
    })
    assert.deepStrictEqual(headers, [
      { header: "Mcp-Param-Region", path: ["target", "region"] },
      { header: "Mcp-Param-Zone", path: ["target", "zone", "id"] },
      { header: "Mcp-Param-Properties", path: ["properties"] }
    ])
  })

  it("rejects an annotation reached through any keyword other than properties", () => {
    const region = { type: "string", "x-mcp-header": "Region" }
    const schemas: ReadonlyArray<readonly [schema: object, pointer: string]> = [
      [{ "x-mcp-header": "Root" }, "#"],
      [{ properties: { list: { type: "array", items: region } } }, "#/properties/list/items"],
      [{ properties: { pair: { type: "array", prefixItems: [{}, region] } } }, "#/properties/pair/prefixItems/1"],
      [{ properties: { tuple: { type: "array", items: [region] } } }, "#/properties/tuple/items/0"],
      [{ properties: { list: { type: "array", contains: region } } }, "#/properties/list/contains"],
      [{ anyOf: [{ properties: { region } }] }, "#/anyOf/0/properties/region"],
      [{ oneOf: [{}, { properties: { region } }] }, "#/oneOf/1/properties/region"],
      [{ allOf: [{ properties: { region } }] }, "#/allOf/0/properties/region"],
      [{ properties: { region: { not: region } } }, "#/properties/region/not"],
      [{ properties: { region: { anyOf: [region, { type: "null" }] } } }, "#/properties/region/anyOf/0"],
      [
        { if: { properties: { region } }, then: {}, else: {} },
        "#/if/properties/region"
      ],
      [{ then: { properties: { region } } }, "#/then/properties/region"],
      [{ else: { properties: { region } } }, "#/else/properties/region"],
      [{ additionalProperties: region }, "#/additionalProperties"],
      [{ patternProperties: { "^r": region } }, "#/patternProperties/^r"],
      [{ dependentSchemas: { a: { properties: { region } } } }, "#/dependentSchemas/a/properties/region"],
      [
        { $defs: { Region: region }, properties: { region: { $ref: "#/$defs/Region" } } },
        "#/$defs/Region"
      ],
      [{ definitions: { "a/b": region } }, "#/definitions/a~1b"]
    ]
    for (const [schema, pointer] of schemas) {
      const reason = invalid({ name: "t", inputSchema: { type: "object", ...schema } })
      assert.include(reason, ` at ${pointer} is not on a property reachable from the root through "properties" alone`)
    }
  })

  it("ignores instance data and does not follow $ref", () => {
    const headers = valid({
      name: "t",
      inputSchema: {
        type: "object",
        $defs: { Region: { type: "string" } },
        properties: {
          region: { $ref: "#/$defs/Region", type: "string", "x-mcp-header": "Region" },
          other: { type: "object", default: { "x-mcp-header": "Nope" }, examples: [{ "x-mcp-header": "Nope" }] },
          fixed: { const: { "x-mcp-header": "Nope" }, enum: [{ "x-mcp-header": "Nope" }] }
        }
      }
    })
    assert.deepStrictEqual(headers, [{ header: "Mcp-Param-Region", path: ["region"] }])
  })

  it("finds no headers in a tool without annotations or without a schema", () => {
    assert.deepStrictEqual(valid({ name: "t" }), [])
    assert.deepStrictEqual(valid({ name: "t", inputSchema: { type: "object" } }), [])
    assert.deepStrictEqual(valid({ name: "t", inputSchema: { type: "object", properties: { a: true } } }), [])
  })

  it("walks a deeply nested schema without recursion", () => {
    let schema: Record<string, unknown> = { type: "string", "x-mcp-header": "Deep" }
    const path: Array<string> = []
    for (let i = 0; i < 20_000; i++) {
      schema = { type: "object", properties: { p: schema } }
      path.push("p")
    }
    assert.deepStrictEqual(valid({ name: "t", inputSchema: schema }), [{ header: "Mcp-Param-Deep", path }])
  })
})

describe("paramHeaders", () => {
  const headersOf = (tool: { readonly name: string; readonly inputSchema?: unknown }) => valid(tool)

  it("mirrors the arguments of the http-custom-headers scenario", () => {
    // the arguments the scenario hands the client in MCP_CONFORMANCE_CONTEXT
    const args = {
      region: "us-west1",
      priority: 42,
      verbose: false,
      debug: true,
      empty_val: "",
      method_val: "test-method",
      float_val: 3.14159,
      non_ascii_val: "Hello, 世界",
      whitespace_val: " padded ",
      leading_space_val: " us-west1",
      trailing_space_val: "us-west1 ",
      internal_space_val: "us west 1",
      control_char_val: "line1\nline2",
      crlf_val: "line1\r\nline2",
      tab_val: "\tindented",
      query: "SELECT * FROM users"
    }
    const headers = McpHeaders.paramHeaders(headersOf(testCustomHeaders), args)
    assert.deepStrictEqual(headers, {
      "Mcp-Param-Region": "us-west1",
      "Mcp-Param-Priority": "42",
      "Mcp-Param-Verbose": "false",
      "Mcp-Param-Debug": "true",
      "Mcp-Param-EmptyVal": "",
      "Mcp-Param-Method": "test-method",
      "Mcp-Param-NonAscii": "=?base64?SGVsbG8sIOS4lueVjA==?=",
      "Mcp-Param-Whitespace": "=?base64?IHBhZGRlZCA=?=",
      "Mcp-Param-LeadingSpace": "=?base64?IHVzLXdlc3Qx?=",
      "Mcp-Param-TrailingSpace": "=?base64?dXMtd2VzdDEg?=",
      "Mcp-Param-InternalSpace": "us west 1",
      "Mcp-Param-ControlChar": "=?base64?bGluZTEKbGluZTI=?=",
      "Mcp-Param-CrLf": "=?base64?bGluZTENCmxpbmUy?=",
      "Mcp-Param-Tab": "=?base64?CWluZGVudGVk?="
    })
    // what the scenario checks: each header decodes to the body value
    for (const { header, path } of headersOf(testCustomHeaders)) {
      assert.strictEqual(decode(headers[header]), String(args[path[0] as keyof typeof args]))
    }
  })

  it("omits a null argument, as the test_custom_headers_null call checks", () => {
    const headers = McpHeaders.paramHeaders(headersOf(testCustomHeadersNull), {
      region: "us-east1",
      priority: 1,
      verbose: null,
      query: "SELECT 1"
    })
    assert.deepStrictEqual(headers, { "Mcp-Param-Region": "us-east1", "Mcp-Param-Priority": "1" })
  })

  it("omits an absent argument, and everything without arguments", () => {
    const spec = headersOf(testCustomHeadersNull)
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { region: "eu" }), { "Mcp-Param-Region": "eu" })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, {}), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, undefined), {})
  })

  it("writes integers in decimal", () => {
    const spec = [{ header: "Mcp-Param-N", path: ["n"] }]
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: -7 }), { "Mcp-Param-N": "-7" })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: 0 }), { "Mcp-Param-N": "0" })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: -0 }), { "Mcp-Param-N": "0" })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: 42.0 }), { "Mcp-Param-N": "42" })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: 9007199254740991 }), {
      "Mcp-Param-N": "9007199254740991"
    })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: 1e21 }), { "Mcp-Param-N": "1000000000000000000000" })
  })

  it("mirrors a value of the wrong type as the body carries it, and omits what has no header form", () => {
    const spec = [{ header: "Mcp-Param-N", path: ["n"] }]
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: "42" }), { "Mcp-Param-N": "42" })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: 3.5 }), { "Mcp-Param-N": "3.5" })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: true }), { "Mcp-Param-N": "true" })
    // JSON.stringify turns these into null: no value in the body
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: Number.NaN }), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: Number.POSITIVE_INFINITY }), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: { a: 1 } }), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { n: ["a"] }), {})
  })

  it("reads nested values at the exact property path", () => {
    const spec = [{ header: "Mcp-Param-Region", path: ["target", "region"] }]
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { target: { region: "日本" } }), {
      "Mcp-Param-Region": "=?base64?5pel5pys?="
    })
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { target: null }), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { target: "us" }), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { target: [{ region: "us" }] }), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, { region: "us" }), {})
  })

  it("reads own properties only", () => {
    const spec = [
      { header: "Mcp-Param-C", path: ["constructor"] },
      { header: "Mcp-Param-S", path: ["toString"] },
      { header: "Mcp-Param-P", path: ["__proto__"] }
    ]
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, {}), {})
    assert.deepStrictEqual(McpHeaders.paramHeaders(spec, JSON.parse("{\"constructor\":\"c\",\"__proto__\":\"p\"}")), {
      "Mcp-Param-C": "c",
      "Mcp-Param-P": "p"
    })
  })
})
