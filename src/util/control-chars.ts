// The one rule for showing untrusted text: control characters become visible escapes
// (`\x1b`), so text from a host, a bundle or an inventory cannot program the terminal it is
// printed on. The faces apply it through src/report/untrusted-text.ts; error messages that echo
// a value apply it through echoValue (src/util/names.ts).

// C0 but tab and newline, DEL, C1 (a UTF-8 terminal may still act on U+009B as CSI), and the
// bidirectional overrides that make a line read other than it is.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
