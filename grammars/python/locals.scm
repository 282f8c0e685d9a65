; Scopes and bindings (textDocument/documentHighlight) for Python.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;     (#set! local.definition-scope "parent")   bound in the scope around that one
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; Python binds a name where it is assigned: assignments, loop and `with`
; targets, imports, parameters and `def`/`class` names are definitions.

; ---------------------------------------------------------------- scopes
[
  (function_definition)
  (class_definition)
  (lambda)
  (list_comprehension)
  (dictionary_comprehension)
  (set_comprehension)
  (generator_expression)
] @local.scope

; ---------------------------------------------------------------- names without bindings
; Attribute and keyword-argument names, module paths.
(attribute attribute: (identifier) @local.text.attribute)
(keyword_argument name: (identifier) @local.text.keyword)
(import_from_statement module_name: (dotted_name (identifier) @local.text.module))
(import_from_statement module_name: (relative_import (dotted_name (identifier) @local.text.module)))
(aliased_import name: (dotted_name (identifier) @local.text.module))
(import_statement name: (dotted_name (identifier) (identifier) @local.text.module))

; ---------------------------------------------------------------- definitions
((function_definition name: (identifier) @local.definition.function)
  (#set! local.definition-scope "parent"))
((class_definition name: (identifier) @local.definition.type)
  (#set! local.definition-scope "parent"))

(parameters (identifier) @local.definition.parameter)
(lambda_parameters (identifier) @local.definition.parameter)
(default_parameter name: (identifier) @local.definition.parameter)
(typed_parameter . (identifier) @local.definition.parameter)
(typed_default_parameter name: (identifier) @local.definition.parameter)
(list_splat_pattern (identifier) @local.definition.parameter)
(dictionary_splat_pattern (identifier) @local.definition.parameter)

(assignment left: (identifier) @local.definition.var)
(assignment left: (pattern_list (identifier) @local.definition.var))
(assignment left: (tuple_pattern (identifier) @local.definition.var))
(assignment left: (list_pattern (identifier) @local.definition.var))
(named_expression name: (identifier) @local.definition.var)
(for_statement left: (identifier) @local.definition.var)
(for_statement left: (pattern_list (identifier) @local.definition.var))
(for_statement left: (tuple_pattern (identifier) @local.definition.var))
(for_in_clause left: (identifier) @local.definition.var)
(for_in_clause left: (pattern_list (identifier) @local.definition.var))
(for_in_clause left: (tuple_pattern (identifier) @local.definition.var))
(as_pattern alias: (as_pattern_target (identifier) @local.definition.var))

(import_statement name: (dotted_name . (identifier) @local.definition.import))
(aliased_import alias: (identifier) @local.definition.import)
(import_from_statement name: (dotted_name (identifier) @local.definition.import))

; ---------------------------------------------------------------- references
(augmented_assignment left: (identifier) @local.reference.write)

(identifier) @local.reference
