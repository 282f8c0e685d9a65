; Scopes and bindings (textDocument/documentHighlight) for TypeScript.
; grammars/tsx/locals.scm inherits it as it is (TSX adds no bindings: JSX names are identifiers).
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "parent")   bound in the scope around that one
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; Types and values share one name space here (a class is both).

; ---------------------------------------------------------------- scopes
[
  (statement_block)
  (function_declaration)
  (generator_function_declaration)
  (function_expression)
  (generator_function)
  (arrow_function)
  (method_definition)
  (function_signature)
  (for_statement)
  (for_in_statement)
  (catch_clause)
  (class_declaration)
  (abstract_class_declaration)
  (class)
  (interface_declaration)
  (type_alias_declaration)
  (switch_body)
] @local.scope

; ---------------------------------------------------------------- definitions
; Declarations named in the scope around them.
((function_declaration name: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((generator_function_declaration name: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((function_signature name: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((class_declaration name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((abstract_class_declaration name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((interface_declaration name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
((type_alias_declaration name: (type_identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))
; A named function or class expression is visible inside itself only.
(function_expression name: (identifier) @local.definition.function)
(class name: (type_identifier) @local.definition.type)

(enum_declaration name: (identifier) @local.definition.enum)
(module name: (identifier) @local.definition.namespace)
(internal_module name: (identifier) @local.definition.namespace)
(type_parameter name: (type_identifier) @local.definition.type)

; Variables, parameters, destructuring.
(variable_declarator name: (identifier) @local.definition.var)
(required_parameter pattern: (identifier) @local.definition.parameter)
(optional_parameter pattern: (identifier) @local.definition.parameter)
(arrow_function parameter: (identifier) @local.definition.parameter)
(catch_clause parameter: (identifier) @local.definition.parameter)
(object_pattern (shorthand_property_identifier_pattern) @local.definition.var)
(pair_pattern value: (identifier) @local.definition.var)
(array_pattern (identifier) @local.definition.var)
(rest_pattern (identifier) @local.definition.var)
(assignment_pattern left: (identifier) @local.definition.var)
(object_assignment_pattern left: (shorthand_property_identifier_pattern) @local.definition.var)
(for_in_statement left: (identifier) @local.definition.var)

; Imports bind names in the module.
(import_clause (identifier) @local.definition.import)
(namespace_import (identifier) @local.definition.import)
(import_specifier alias: (identifier) @local.definition.import)
(import_specifier name: (identifier) @local.definition.import !alias)
(import_alias (identifier) @local.definition.import)

; ---------------------------------------------------------------- names without bindings
(import_specifier name: (identifier) @local.text.property alias: (_))
(export_specifier alias: (identifier) @local.text.property)
[
  (property_identifier)
  (private_property_identifier)
] @local.text.property
(pair_pattern key: (_) @local.text.property)
(statement_identifier) @local.text.label

; ---------------------------------------------------------------- references
(assignment_expression left: (identifier) @local.reference.write)
(augmented_assignment_expression left: (identifier) @local.reference.write)
(update_expression argument: (identifier) @local.reference.write)

[
  (identifier)
  (shorthand_property_identifier)
  (type_identifier)
] @local.reference
