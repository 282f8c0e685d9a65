; Scopes and bindings (textDocument/documentHighlight) for C.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "parent")   bound in the scope around that one
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; Struct fields (reached through `.` and `->`) are matched by name.

; ---------------------------------------------------------------- scopes
[
  (function_definition)
  (compound_statement)
  (for_statement)
  (preproc_function_def)
] @local.scope

; ---------------------------------------------------------------- definitions
; A function's name belongs beside it; its parameters inside it.
((function_declarator declarator: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((preproc_function_def name: (identifier) @local.definition.macro)
  (#set! local.definition-scope "parent"))
(preproc_def name: (identifier) @local.definition.macro)
(preproc_params (identifier) @local.definition.parameter)

(parameter_declaration declarator: (identifier) @local.definition.parameter)
(init_declarator declarator: (identifier) @local.definition.var)
(declaration declarator: (identifier) @local.definition.var)
(pointer_declarator declarator: (identifier) @local.definition.var)
(array_declarator declarator: (identifier) @local.definition.var)
(parenthesized_declarator (identifier) @local.definition.var)

(struct_specifier name: (type_identifier) @local.definition.type)
(union_specifier name: (type_identifier) @local.definition.type)
(enum_specifier name: (type_identifier) @local.definition.type)
(type_definition declarator: (type_identifier) @local.definition.type)
(pointer_declarator declarator: (type_identifier) @local.definition.type)
(enumerator name: (identifier) @local.definition.constant)

; ---------------------------------------------------------------- names without bindings
(field_identifier) @local.text.field
(statement_identifier) @local.text.label

; ---------------------------------------------------------------- references
(assignment_expression left: (identifier) @local.reference.write)
(update_expression argument: (identifier) @local.reference.write)

[
  (identifier)
  (type_identifier)
] @local.reference
