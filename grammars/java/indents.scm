; Java (google-java-format: 2-column blocks, 4-column continuation lines; a
; continuation inside a continuation adds 4 more). Captures: see
; server/src/features/formatting.ts.
[
  (block)
  (class_body)
  (interface_body)
  (enum_body)
  (annotation_type_body)
  (constructor_body)
  (switch_block)
  (switch_block_statement_group)
  (array_initializer)
  (element_value_array_initializer)
  (module_body)
  (record_pattern_body)
] @indent.begin

[ "}" ")" "]" ] @indent.end

; Continuation lines: broken arguments and parameters, operators, chained
; calls, `x =` / `    value`, `throws`, `extends`, `implements`.
([
  (argument_list)
  (formal_parameters)
  (parenthesized_expression)
  (variable_declarator)
  (assignment_expression)
  (binary_expression)
  (ternary_expression)
  (method_invocation)
  (field_access)
  (return_statement)
  (throw_statement)
  (lambda_expression)
  (annotation_argument_list)
  (resource_specification)
  (switch_rule)
  (type_arguments)
  (type_parameters)
  (object_creation_expression)
  (array_creation_expression)
  (cast_expression)
  (instanceof_expression)
  (inferred_parameters)
  (assert_statement)
  (yield_statement)
  (enhanced_for_statement)
  (for_statement)
] @indent.begin
  (#set! indent.levels 2))

; `extends`, `implements`, `throws` starting a line: a continuation of the
; line of the declaration's name.
(_ [(superclass) (super_interfaces) (extends_interfaces) (throws) (permits)] @indent.begin (#set! indent.from "parent.name") (#set! indent.levels 2))
; An anonymous class after a broken argument list: indented from `new`'s line.
(object_creation_expression (class_body) @indent.begin (#set! indent.base "parent"))

; A class header broken before `extends`/`implements`/`throws`: the body is
; indented from the header's first line.
([
  (class_declaration body: (_) @indent.begin)
  (interface_declaration body: (_) @indent.begin)
  (enum_declaration body: (_) @indent.begin)
  (record_declaration body: (_) @indent.begin)
] (#set! indent.base "parent"))
((method_declaration body: (block) @indent.begin) (#set! indent.base "parent"))
((constructor_declaration body: (constructor_body) @indent.begin) (#set! indent.base "parent"))

; A statement after `if (x)` without braces.
(if_statement consequence: [(expression_statement) (return_statement) (throw_statement) (break_statement) (continue_statement)] @indent.begin (#set! indent.from "parent"))
(if_statement alternative: [(expression_statement) (return_statement) (throw_statement) (break_statement) (continue_statement)] @indent.begin (#set! indent.from "parent"))
(for_statement body: (expression_statement) @indent.begin (#set! indent.from "parent"))
(while_statement body: (expression_statement) @indent.begin (#set! indent.from "parent"))

[ (string_literal) (block_comment) ] @indent.ignore
