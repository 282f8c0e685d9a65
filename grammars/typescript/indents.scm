; Indentation (prettier's layout). See server/src/features/formatting.ts for
; the capture convention.

; Brackets: their contents are indented, the closing bracket is not.
[
  (statement_block)
  (class_body)
  (object)
  (object_pattern)
  (array)
  (array_pattern)
  (arguments)
  (formal_parameters)
  (parenthesized_expression)
  (switch_body)
  (switch_case)
  (switch_default)
  (named_imports)
  (export_clause)
  (template_substitution)
] @indent.begin

[ "}" "]" ")" ] @indent.end

; Continuation lines of one construct: `x =` / `  value`, `key:` / `  value`,
; `cond` / `  ? a` / `  : b`, `obj` / `  .method()` (a chain is indented once).
[
  (variable_declarator)
  (assignment_expression)
  (augmented_assignment_expression)
  (pair)
  (ternary_expression)
  (member_expression)
  (return_statement)
  (throw_statement)
  (arrow_function)
] @indent.begin

; Ternaries (prettier): only the `?` and `:` lines are indented, not the
; condition's continuation lines; what a branch opens is indented from the
; branch's column (`? foo(` / `    arg`), except a nested ternary's branches.
(ternary_expression condition: (_) @indent.begin (#set! indent.levels 0))
(ternary_expression consequence: [(call_expression) (arrow_function) (function_expression) (object) (array) (new_expression) (await_expression) (parenthesized_expression) (member_expression)] @indent.anchor)
(ternary_expression alternative: [(call_expression) (arrow_function) (function_expression) (object) (array) (new_expression) (await_expression) (parenthesized_expression) (member_expression)] @indent.anchor)

; A binary expression that breaks inside arguments indents its continuation.
(arguments (binary_expression) @indent.begin)

; Brace-less bodies: `if (x)` / `  foo();`.
(if_statement consequence: (_) @indent.begin (#set! indent.from "parent"))
(else_clause (expression_statement) @indent.begin (#set! indent.from "parent"))
(else_clause (return_statement) @indent.begin (#set! indent.from "parent"))
(for_statement body: (expression_statement) @indent.begin (#set! indent.from "parent"))
(for_in_statement body: (expression_statement) @indent.begin (#set! indent.from "parent"))
(while_statement body: (expression_statement) @indent.begin (#set! indent.from "parent"))

; Template literals keep every byte.
(template_string) @indent.ignore

; TypeScript types.
[
  (object_type)
  (interface_body)
  (enum_body)
  (type_parameters)
  (type_arguments)
  (tuple_type)
  (type_alias_declaration)
  (property_signature)
  (public_field_definition)
  (index_signature)
  (mapped_type_clause)
  (conditional_type)
] @indent.begin
(type_parameters ">" @indent.end)
(type_arguments ">" @indent.end)
