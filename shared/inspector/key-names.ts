/**
 * Key names are untrusted bytes. They stay Buffers while the inspector works and are turned into
 * text only here, in two safe forms: one for JSON, one for a terminal.
 */

/** A key name (or prefix) as it appears in the JSON report. */
export interface RenderedName {
  /** The name as text: the UTF-8 text when the bytes are valid UTF-8, else the `\xNN`-escaped form. */
  text: string;
  /** Present when the bytes are not valid UTF-8: the exact bytes, base64-encoded. */
  base64?: string;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function hexEscape(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

/** Every byte that is not printable ASCII as `\xNN`, backslash as `\\`: reversible and plain ASCII. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += hexEscape(byte);
  }
  return out;
}

export function renderNameForJson(bytes: Buffer): RenderedName {
  const text = decodeUtf8(bytes);
  if (text !== undefined) return { text };
  return { text: escapeBytes(bytes), base64: bytes.toString('base64') };
}

/** C0/C1 control characters, DEL and the bidirectional overrides that can disguise terminal text. */
const unsafeForTerminal = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** A name safe to print on a terminal: valid UTF-8 stays readable, controls and invalid bytes are escaped. */
export function renderNameForTerminal(bytes: Buffer): string {
  const text = decodeUtf8(bytes);
  if (text === undefined) return escapeBytes(bytes);
  return text.replace(/\\/g, '\\\\').replace(unsafeForTerminal, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? hexEscape(code) : `\\u{${code.toString(16)}}`;
  });
}

/**
 * JSON text that is also safe to embed in HTML: `<`, `>` and `&` (and the JavaScript line separators)
 * become \u escapes, which any JSON parser reads back unchanged.
 */
export function stringifyJsonSafely(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Free text (messages, server replies) for a terminal: control and bidirectional characters escaped. */
export function sanitizeTerminalText(text: string): string {
  return text.replace(unsafeForTerminal, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? hexEscape(code) : `\\u{${code.toString(16)}}`;
  });
}
