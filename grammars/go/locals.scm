; Scopes and bindings (textDocument/documentHighlight) for Go.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "parent")   bound in the scope around that one
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; Fields and methods (reached through a selector) are matched by name.

; ---------------------------------------------------------------- scopes
[
  (function_declaration)
  (method_declaration)
  (func_literal)
  (block)
  (if_statement)
  (for_statement)
  (expression_switch_statement)
  (type_switch_statement)
  (select_statement)
  (expression_case)
  (type_case)
  (default_case)
  (communication_case)
] @local.scope

; ---------------------------------------------------------------- definitions
((function_declaration name: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
(parameter_declaration name: (identifier) @local.definition.parameter)
(variadic_parameter_declaration name: (identifier) @local.definition.parameter)
(type_parameter_declaration name: (identifier) @local.definition.type)
(short_var_declaration left: (expression_list (identifier) @local.definition.var))
(var_spec name: (identifier) @local.definition.var)
(const_spec name: (identifier) @local.definition.constant)
(range_clause left: (expression_list (identifier) @local.definition.var))
(type_switch_statement alias: (expression_list (identifier) @local.definition.var))
(receive_statement left: (expression_list (identifier) @local.definition.var))
(type_spec name: (type_identifier) @local.definition.type)
(type_alias name: (type_identifier) @local.definition.type)
(import_spec name: (package_identifier) @local.definition.import)

; ---------------------------------------------------------------- names without bindings
[
  (field_identifier)
] @local.text.field
(label_name) @local.text.label

; ---------------------------------------------------------------- references
(assignment_statement left: (expression_list (identifier) @local.reference.write))
(inc_statement (identifier) @local.reference.write)
(dec_statement (identifier) @local.reference.write)

[
  (identifier)
  (type_identifier)
  (package_identifier)
] @local.reference
