; Java (google-java-format: block indent; continuation lines keep theirs).
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

[ "}" ] @indent.end

[
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
  (superclass)
  (super_interfaces)
  (throws)
  (annotation_argument_list)
  (resource_specification)
  (local_variable_declaration)
  (field_declaration)
  (expression_statement)
  (switch_rule)
  (type_arguments)
] @indent.align
; Inside an auto node, a block (a lambda body, an anonymous class) is indented again.
(if_statement consequence: (expression_statement) @indent.begin (#set! indent.from "parent"))

[ (string_literal) (block_comment) ] @indent.ignore
