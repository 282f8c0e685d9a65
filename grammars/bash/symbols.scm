; Document symbols (textDocument/documentSymbol) for Bash.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange)
;   @local.scope     a function body: symbols marked (#is-not? local) inside it are dropped
;   (#set! unique)   a binding: one symbol per name and kind in a scope, the first
; A declaration captured by several patterns takes the first pattern in this file.
; Nesting comes from range containment.
;
; Functions (nested ones too), and the variables a script sets outside
; functions: plain assignments, export/declare/typeset (variable) and
; readonly (constant). Variables set inside functions are not listed.

(function_definition body: (_) @local.scope)

(function_definition
  name: (word) @name) @symbol.function

((declaration_command
  "readonly"
  (variable_assignment name: (variable_name) @name)) @symbol.constant
  (#is-not? local)
  (#set! unique))

((declaration_command
  (variable_assignment name: (variable_name) @name)) @symbol.variable
  (#is-not? local)
  (#set! unique))

((variable_assignment
  name: (variable_name) @name) @symbol.variable
  (#is-not? local)
  (#set! unique))
