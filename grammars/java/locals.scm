; Scopes and bindings (textDocument/documentHighlight) for Java.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "parent")   bound in the scope around that one
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; A class body is a scope: its fields are bound in it, so `items` and
; `this.items` in a method highlight with the field. Methods (reached
; through a receiver or overloaded) are matched by name.

; ---------------------------------------------------------------- scopes
[
  (class_body)
  (interface_body)
  (enum_body)
  (record_declaration)
  (method_declaration)
  (constructor_declaration)
  (compact_constructor_declaration)
  (lambda_expression)
  (block)
  (for_statement)
  (enhanced_for_statement)
  (catch_clause)
  (try_with_resources_statement)
  (switch_block_statement_group)
  (switch_rule)
] @local.scope

; ---------------------------------------------------------------- names without bindings
(method_declaration name: (identifier) @local.text.method)
(method_invocation name: (identifier) @local.text.method)
(method_reference (identifier) @local.text.method .)

; ---------------------------------------------------------------- definitions
(class_declaration name: (identifier) @local.definition.type)
(interface_declaration name: (identifier) @local.definition.type)
(enum_declaration name: (identifier) @local.definition.type)
(record_declaration name: (identifier) @local.definition.type)
(annotation_type_declaration name: (identifier) @local.definition.type)
(type_parameter (type_identifier) @local.definition.type)
(enum_constant name: (identifier) @local.definition.constant)

(field_declaration declarator: (variable_declarator name: (identifier) @local.definition.field))
(constant_declaration declarator: (variable_declarator name: (identifier) @local.definition.field))
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local.definition.var))
(formal_parameter name: (identifier) @local.definition.parameter)
(spread_parameter (variable_declarator name: (identifier) @local.definition.parameter))
(catch_formal_parameter name: (identifier) @local.definition.parameter)
(enhanced_for_statement name: (identifier) @local.definition.var)
(lambda_expression parameters: (identifier) @local.definition.parameter)
(inferred_parameters (identifier) @local.definition.parameter)
(resource name: (identifier) @local.definition.var)
(record_pattern_component (identifier) @local.definition.var)
(type_pattern (identifier) @local.definition.var)

(import_declaration (scoped_identifier name: (identifier) @local.definition.import))

; ---------------------------------------------------------------- references
(assignment_expression left: (identifier) @local.reference.write)
(assignment_expression left: (field_access field: (identifier) @local.reference.write))
(update_expression (identifier) @local.reference.write)

[
  (identifier)
  (type_identifier)
] @local.reference
