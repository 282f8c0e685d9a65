; Completion facts for Python (server/src/features/completionIndex.ts).
;
; Capture convention:
;   @scope                 a node whose bindings are local to it (module = the root, implicit)
;   @definition.<kind>     a name bound in the innermost enclosing @scope; <kind> is
;                          function, method, class, variable, constant, parameter, field,
;                          module (imports), type. A function/class name binds in the
;                          scope around the definition, not in its own.
;   @skip.comment, @skip.string   no completion inside (identifiers there are not counted)
; @scope.class           a class body: its bindings are members (offered after self./cls.),
;                          not names visible in nested functions
;   @skip.hole             code inside a @skip.string (f-string interpolation): completion again

(function_definition) @scope
(lambda) @scope
(class_definition body: (block) @scope.class)
[(list_comprehension) (set_comprehension) (dictionary_comprehension) (generator_expression)] @scope

(class_definition body: (block (function_definition name: (identifier) @definition.method)))
(class_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @definition.method))))
(function_definition name: (identifier) @definition.function)
(class_definition name: (identifier) @definition.class)

(parameters (identifier) @definition.parameter)
(lambda_parameters (identifier) @definition.parameter)
(default_parameter name: (identifier) @definition.parameter)
(typed_parameter (identifier) @definition.parameter)
(typed_default_parameter name: (identifier) @definition.parameter)
(list_splat_pattern (identifier) @definition.parameter)
(dictionary_splat_pattern (identifier) @definition.parameter)

(assignment left: (identifier) @definition.variable)
(assignment left: (pattern_list (identifier) @definition.variable))
(assignment left: (tuple_pattern (identifier) @definition.variable))
(augmented_assignment left: (identifier) @definition.variable)
(named_expression name: (identifier) @definition.variable)
(for_statement left: (identifier) @definition.variable)
(for_statement left: (pattern_list (identifier) @definition.variable))
(for_in_clause left: (identifier) @definition.variable)
(for_in_clause left: (pattern_list (identifier) @definition.variable))
(with_item value: (as_pattern alias: (as_pattern_target (identifier) @definition.variable)))
(except_clause (as_pattern alias: (as_pattern_target (identifier) @definition.variable)))
(global_statement (identifier) @definition.variable)
(nonlocal_statement (identifier) @definition.variable)

(assignment left: (attribute object: (identifier) @_self attribute: (identifier) @definition.field) (#eq? @_self "self"))

(import_statement name: (dotted_name . (identifier) @definition.module))
(import_statement name: (aliased_import alias: (identifier) @definition.module))
(import_from_statement name: (dotted_name (identifier) @definition.module))
(import_from_statement name: (aliased_import alias: (identifier) @definition.module))

(comment) @skip.comment
(string) @skip.string
(interpolation) @skip.hole
