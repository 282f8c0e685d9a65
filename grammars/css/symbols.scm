; Document symbols (textDocument/documentSymbol) for CSS.
;
; Capture convention (see server/src/features/symbols.ts):
;   @symbol.<kind>   declaration node (range; kind = LSP SymbolKind, snake_case)
;   @name            name node (selectionRange); several = source text first..last
;   @name.<part>     piece of a name template   (#set! name "@media {name.query}")
; Nesting comes from range containment (rules inside @media nest under it).
;
; As VS Code's CSS outline: rules are named by their selectors (class),
; @media/@supports/@container are modules named with their condition,
; @keyframes and @font-face are classes, custom properties (--x) are variables.

(rule_set
  (selectors) @name) @symbol.class

(media_statement
  "@media" @name
  .
  (_) @name
  (block)) @symbol.module

(supports_statement
  "@supports" @name
  .
  (_) @name
  (block)) @symbol.module

(keyframes_statement
  "@keyframes" @name
  (keyframes_name) @name) @symbol.class

(keyframe_block
  [(from) (to) (integer_value)] @name) @symbol.class

(at_rule
  (at_keyword) @name
  (block)) @symbol.class

((declaration
  (property_name) @name) @symbol.variable
  (#match? @name "^--"))
