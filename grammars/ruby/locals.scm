; Scopes and bindings (textDocument/documentHighlight) for Ruby.
;
; Capture convention (see server/src/features/highlights.ts):
;   @local.scope             a node that opens a scope
;     (#set! local.scope-inherits false)   outer locals are not visible inside
;   @local.definition        an identifier bound in the innermost scope around it (Write)
;   @local.reference.write   an assignment target, resolved like a reference (Write)
;   @local.reference         an identifier resolved through the enclosing scopes (Read)
;   @local.text.<category>   a name without binding semantics, matched by text (Text)
; A node captured by several patterns takes the pattern that comes first here.
; `def`, `class` and `module` open scopes that see no outer locals; blocks
; see them. Methods, instance variables and constants are matched by name.

; ---------------------------------------------------------------- scopes
([
  (method)
  (singleton_method)
  (class)
  (singleton_class)
  (module)
] @local.scope
  (#set! local.scope-inherits false))

[
  (block)
  (do_block)
  (lambda)
] @local.scope

; ---------------------------------------------------------------- names without bindings
(method name: (_) @local.text.method)
(singleton_method name: (_) @local.text.method)
(call method: (identifier) @local.text.method)
(instance_variable) @local.text.instance_variable
(class_variable) @local.text.class_variable
(global_variable) @local.text.global_variable
(constant) @local.text.constant
(hash_key_symbol) @local.text.symbol
(simple_symbol) @local.text.simple_symbol

; ---------------------------------------------------------------- definitions
(method_parameters (identifier) @local.definition.parameter)
(lambda_parameters (identifier) @local.definition.parameter)
(block_parameters (identifier) @local.definition.parameter)
(optional_parameter name: (identifier) @local.definition.parameter)
(keyword_parameter name: (identifier) @local.definition.parameter)
(splat_parameter name: (identifier) @local.definition.parameter)
(hash_splat_parameter name: (identifier) @local.definition.parameter)
(block_parameter name: (identifier) @local.definition.parameter)
(destructured_parameter (identifier) @local.definition.parameter)

(assignment left: (identifier) @local.definition.var)
(left_assignment_list (identifier) @local.definition.var)
(rest_assignment (identifier) @local.definition.var)
(destructured_left_assignment (identifier) @local.definition.var)
(for pattern: (identifier) @local.definition.var)
(exception_variable (identifier) @local.definition.var)

; ---------------------------------------------------------------- references
(operator_assignment left: (identifier) @local.reference.write)

(identifier) @local.reference
