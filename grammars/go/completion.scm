; Completion facts for Go (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Functions, blocks and the statements whose headers declare (`if x := ...`, `for i := range`,
; `switch v := x.(type)`) are scopes. Methods are reached through a value (`v.Method`), so they are
; members, never bare names; struct and interface bodies are @scope.class (Go has no self name).

[(function_declaration) (method_declaration) (func_literal) (block) (if_statement) (for_statement)
 (expression_switch_statement) (type_switch_statement) (select_statement)
 (expression_case) (type_case) (default_case) (communication_case)] @scope
[(field_declaration_list) (interface_type)] @scope.class

(function_declaration name: (identifier) @definition.function)
(method_declaration name: (field_identifier) @definition.method)
(type_spec name: (type_identifier) @definition.class type: (struct_type))
(type_spec name: (type_identifier) @definition.interface type: (interface_type))
(type_spec name: (type_identifier) @definition.type)
(type_alias name: (type_identifier) @definition.type)
(type_parameter_declaration name: (identifier) @definition.type_parameter)
(field_declaration name: (field_identifier) @definition.field)
(method_elem name: (field_identifier) @definition.method)

(parameter_declaration name: (identifier) @definition.parameter)
(variadic_parameter_declaration name: (identifier) @definition.parameter)

(short_var_declaration left: (expression_list (identifier) @definition.variable))
(var_spec name: (identifier) @definition.variable)
(const_spec name: (identifier) @definition.constant)
(range_clause left: (expression_list (identifier) @definition.variable))
(type_switch_statement alias: (expression_list (identifier) @definition.variable))
(receive_statement left: (expression_list (identifier) @definition.variable))

(import_spec name: (package_identifier) @definition.module)

(comment) @skip.comment
[(interpreted_string_literal) (raw_string_literal) (rune_literal)] @skip.string
