; Scopes and bindings (textDocument/documentHighlight) for C++.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "parent")   bound in the scope around that one
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; A class is a scope: its fields and methods are bound in it, so a member
; used bare inside a method highlights with its declaration. Namespaces are
; not scopes (their names are reached from outside with `ns::`).

; ---------------------------------------------------------------- scopes
[
  (function_definition)
  (compound_statement)
  (for_statement)
  (for_range_loop)
  (catch_clause)
  (lambda_expression)
  (class_specifier)
  (struct_specifier)
  (union_specifier)
  (template_declaration)
  (preproc_function_def)
] @local.scope

; ---------------------------------------------------------------- definitions
; A function's name belongs beside it; its parameters inside it.
((function_declarator declarator: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((function_declarator declarator: (field_identifier) @local.definition.method)
  (#set! local.definition-scope "parent"))
((function_declarator declarator: (operator_name) @local.definition.method)
  (#set! local.definition-scope "parent"))
((class_specifier name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((struct_specifier name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((union_specifier name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((preproc_function_def name: (identifier) @local.definition.macro)
  (#set! local.definition-scope "parent"))
(preproc_def name: (identifier) @local.definition.macro)
(preproc_params (identifier) @local.definition.parameter)

(field_declaration declarator: (field_identifier) @local.definition.field)
(field_declaration declarator: (pointer_declarator declarator: (field_identifier) @local.definition.field))
(field_declaration declarator: (reference_declarator (field_identifier) @local.definition.field))
(field_declaration declarator: (array_declarator declarator: (field_identifier) @local.definition.field))

(parameter_declaration declarator: (identifier) @local.definition.parameter)
(optional_parameter_declaration declarator: (identifier) @local.definition.parameter)
(init_declarator declarator: (identifier) @local.definition.var)
(declaration declarator: (identifier) @local.definition.var)
(pointer_declarator declarator: (identifier) @local.definition.var)
(reference_declarator (identifier) @local.definition.var)
(array_declarator declarator: (identifier) @local.definition.var)
(parenthesized_declarator (identifier) @local.definition.var)
(structured_binding_declarator (identifier) @local.definition.var)
(for_range_loop declarator: (identifier) @local.definition.var)

(enum_specifier name: (type_identifier) @local.definition.type)
(type_definition declarator: (type_identifier) @local.definition.type)
(alias_declaration name: (type_identifier) @local.definition.type)
(type_parameter_declaration (type_identifier) @local.definition.type)
(optional_type_parameter_declaration name: (type_identifier) @local.definition.type)
(variadic_type_parameter_declaration (type_identifier) @local.definition.type)
(enumerator name: (identifier) @local.definition.constant)
(namespace_definition name: (namespace_identifier) @local.definition.namespace)

; ---------------------------------------------------------------- names without bindings
(statement_identifier) @local.text.label

; ---------------------------------------------------------------- references
(assignment_expression left: (identifier) @local.reference.write)
(update_expression argument: (identifier) @local.reference.write)

[
  (identifier)
  (field_identifier)
  (type_identifier)
  (namespace_identifier)
] @local.reference
