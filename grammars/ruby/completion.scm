; Completion facts for Ruby (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Methods, blocks and lambdas are scopes; class and module bodies are @scope.class: their methods are
; members (offered after `self.`).
; Every `def` is a method: a `(program (method ...))` pattern never matched (facts are queried per
; chunk below the root), so file-level defs are not offered as scope names. Ruby's `def` sees no
; outer locals; here file-level locals still rank (lowest) inside methods (no scope barrier).

[(method) (singleton_method) (block) (do_block) (lambda)] @scope
(class body: (_) @scope.class)
(module body: (_) @scope.class)
(singleton_class body: (_) @scope.class)

(method name: (_) @definition.method)
(singleton_method name: (_) @definition.method)
(class name: (constant) @definition.class)
(class name: (scope_resolution name: (constant) @definition.class))
(module name: (constant) @definition.module)
(module name: (scope_resolution name: (constant) @definition.module))
(assignment left: (constant) @definition.constant)

(method_parameters (identifier) @definition.parameter)
(lambda_parameters (identifier) @definition.parameter)
(block_parameters (identifier) @definition.parameter)
(optional_parameter name: (identifier) @definition.parameter)
(keyword_parameter name: (identifier) @definition.parameter)
(splat_parameter name: (identifier) @definition.parameter)
(hash_splat_parameter name: (identifier) @definition.parameter)
(block_parameter name: (identifier) @definition.parameter)
(destructured_parameter (identifier) @definition.parameter)

(assignment left: (identifier) @definition.variable)
(operator_assignment left: (identifier) @definition.variable)
(left_assignment_list (identifier) @definition.variable)
(rest_assignment (identifier) @definition.variable)
(destructured_left_assignment (identifier) @definition.variable)
(for pattern: (identifier) @definition.variable)
(exception_variable (identifier) @definition.variable)

(comment) @skip.comment
[(string) (heredoc_body)] @skip.string
(interpolation) @skip.hole
