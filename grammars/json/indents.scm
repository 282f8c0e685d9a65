; JSON: complete formatting (one member per line, like JSON.stringify(v, null,
; indent)). Any @format.* capture turns on "complete" spacing: every gap
; between two tokens is decided by the rules below, "" otherwise.

[
  (object)
  (array)
] @indent.begin

(object "}" @indent.end)
(array "]" @indent.end)

; Non-empty containers open and close on their own lines.
(object "{" @format.newline.after (_))
(object (_) "}" @format.newline.before)
(array "[" @format.newline.after (_))
(array (_) "]" @format.newline.before)

; One member per line.
(object "," @format.newline.after)
(array "," @format.newline.after)

(pair ":" @format.space.after)
