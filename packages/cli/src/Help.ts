/**
 * Help text fitted to where it goes: @effect/cli renders it with colour
 * codes and with each subcommand's whole usage on one line (hundreds of
 * characters). On a terminal it keeps its colours and is wrapped to the
 * terminal's width; piped, it is plain text of at most 80 columns (or
 * `$COLUMNS`).
 *
 * @since 0.4.0
 */
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Output from "./Output.js"

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g

/** A line of the subcommand list: `- name <usage...>   description`, the usage dropped (`name --help` shows it). */
const subcommand = /^(\s*- \S+)(?: \S.*?)?\s{2,}(\S.*)$/

const wrap = (line: string, width: number): ReadonlyArray<string> => {
  const plain = line.replace(ansi, "")
  if (plain.length <= width) return [line]
  const indent = /^\s*(?:- )?/.exec(plain)![0].length
  const words = plain.trim().split(/\s+/)
  const lines: Array<string> = []
  let current = " ".repeat(/^\s*/.exec(plain)![0].length)
  let start = true
  for (const word of words) {
    const next = start ? `${current}${word}` : `${current} ${word}`
    if (!start && next.length > width) {
      lines.push(current)
      current = `${" ".repeat(indent)}${word}`
    } else current = next
    start = false
  }
  lines.push(current)
  // a word longer than the width stays whole: a URL cut in two is worse than a long line
  return lines
}

/**
 * The help text fitted to `width` columns, without colour codes unless
 * `colour`.
 *
 * @since 0.4.0
 * @category rendering
 */
export const fit = (text: string, options: { readonly width: number; readonly colour: boolean }): string => {
  const width = Math.max(40, options.width)
  return text.split("\n").flatMap((line) => {
    const plain = line.replace(ansi, "")
    const shortened = subcommand.exec(plain)
    if (shortened !== null && plain.length > width) return wrap(`${shortened[1]}: ${shortened[2]}`, width)
    const fitted = wrap(line, width)
    return options.colour && fitted.length === 1 ? fitted : fitted.map((l) => l.replace(ansi, ""))
  }).join("\n")
}

/**
 * Runs `effect` with its console output (where @effect/cli prints help)
 * fitted to stdout: the terminal's width with colours, else 80 columns of
 * plain text.
 *
 * @since 0.4.0
 * @category rendering
 */
export const fitted = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (console) => {
    const terminal = process.stdout.isTTY === true
    const options = {
      width: Output.width(),
      colour: terminal && process.env.NO_COLOR === undefined
    }
    const fitting: Console.Console = {
      ...console,
      log: (...args) => console.log(...args.map((arg) => typeof arg === "string" ? fit(arg, options) : arg))
    }
    return Effect.withConsole(effect, fitting)
  })
