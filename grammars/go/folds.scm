; Folding ranges (textDocument/foldingRange) for Go.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node; several in one match = one range, first start to last end
;   @fold.close      the closing delimiter of a @fold match (default: the last child when anonymous: `}` `)`)
;   @fold.comment    comments: block comments fold, consecutive line comments fold as one run
;   @fold.imports    imports: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `// region` ... `// endregion` markers
; Bodies and brackets are folded (the `}` stays visible), not the
; declarations around them.

[
  (block)
  (field_declaration_list)
  (interface_type)
  (literal_value)
  (argument_list)
  (parameter_list)
  (type_parameter_list)
  (import_spec_list)
  (var_spec_list)
  (expression_switch_statement)
  (type_switch_statement)
  (select_statement)
  (expression_case)
  (type_case)
  (default_case)
  (communication_case)
  (parenthesized_expression)
  (raw_string_literal)
] @fold

; Grouped declarations: `const (...)`, `type (...)`.
(const_declaration "(") @fold
(type_declaration "(") @fold

(comment) @fold.comment

(import_declaration) @fold.imports

((comment) @fold.region.start
  (#match? @fold.region.start "^//\\s*#?region\\b"))
((comment) @fold.region.end
  (#match? @fold.region.end "^//\\s*#?endregion\\b"))
