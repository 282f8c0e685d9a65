; Document symbols (textDocument/documentSymbol) for JSON: keys as a tree.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange)
;   @detail          shown beside the name (here: a scalar's value)
;   (#strip! @name "regex")  removed from the name (the key's quotes)
;   (#set! name "{index}")   an array item is named by its position
; Nesting comes from range containment.
;
; Kinds as in VS Code's JSON outline: object -> module, array -> array,
; string -> string, number -> number, true/false -> boolean, null -> null.
; Objects and arrays inside arrays are listed by index; scalar items are not.

; "": LSP names must not be empty, so the key keeps its quotes.
((pair
  key: (string) @name
  value: (object)) @symbol.module
  (#eq? @name "\"\""))
((pair
  key: (string) @name
  value: (array)) @symbol.array
  (#eq? @name "\"\""))
((pair
  key: (string) @name
  value: [(string) (number) (true) (false) (null)] @detail) @symbol.string
  (#eq? @name "\"\""))

((pair key: (string) @name value: (object)) @symbol.module
  (#strip! @name "^\"|\"$"))
((pair key: (string) @name value: (array)) @symbol.array
  (#strip! @name "^\"|\"$"))
((pair key: (string) @name value: (string) @detail) @symbol.string
  (#strip! @name "^\"|\"$"))
((pair key: (string) @name value: (number) @detail) @symbol.number
  (#strip! @name "^\"|\"$"))
((pair key: (string) @name value: [(true) (false)] @detail) @symbol.boolean
  (#strip! @name "^\"|\"$"))
((pair key: (string) @name value: (null) @detail) @symbol.null
  (#strip! @name "^\"|\"$"))

(array (object) @symbol.module (#set! name "{index}"))
(array (array) @symbol.array (#set! name "{index}"))
