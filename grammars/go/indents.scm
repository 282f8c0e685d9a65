; Go (gofmt: one tab per level, case clauses at the level of `switch`).
[
  (block)
  (literal_value)
  (field_declaration_list)
  (interface_type)
  (argument_list)
  (parameter_list)
  (import_spec_list)
  (var_spec_list)
  (const_declaration)
  (type_declaration)
  (expression_switch_statement)
  (type_switch_statement)
  (select_statement)
  (expression_case)
  (default_case)
  (type_case)
  (communication_case)
  (parenthesized_expression)
  (type_parameter_list)
  (binary_expression)
  (selector_expression)
] @indent.begin

[ "}" ")" "]" ] @indent.end
; case clauses sit at the level of their `switch`.
[ (expression_case) (default_case) (type_case) (communication_case) ] @indent.branch


[ (raw_string_literal) (interpreted_string_literal) ] @indent.ignore
