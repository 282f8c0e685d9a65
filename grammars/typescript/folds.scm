; Folding ranges (textDocument/foldingRange) for TypeScript.
; grammars/tsx/folds.scm inherits this file and adds JSX elements.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node; several in one match = one range, first start to last end
;   @fold.close      the closing delimiter of a @fold match (default: the last child when anonymous: `}` `)` `]`)
;   @fold.comment    comments: multi-line ones fold, consecutive line comments fold as one run
;   @fold.imports    imports: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `//#region` ... `//#endregion` markers
; The closing delimiter stays visible: a fold ends on the line before a `}`
; that begins its line. Brackets and bodies are folded, not the statements
; around them, so `if {…} else {…}` folds each block.

[
  (statement_block)
  (class_body)
  (interface_body)
  (enum_body)
  (object_type)
  (switch_body)
  (object)
  (object_pattern)
  (array)
  (array_pattern)
  (arguments)
  (formal_parameters)
  (parenthesized_expression)
  (type_arguments)
  (type_parameters)
  (tuple_type)
  (template_string)
  (named_imports)
  (export_clause)
] @fold

; `case x:` and `default:` clauses, up to their last statement.
[
  (switch_case)
  (switch_default)
] @fold

(comment) @fold.comment

(import_statement) @fold.imports

((comment) @fold.region.start
  (#match? @fold.region.start "^//\\s*#?region\\b"))
((comment) @fold.region.end
  (#match? @fold.region.end "^//\\s*#?endregion\\b"))
