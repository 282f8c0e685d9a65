; Completion facts for C++ (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; As grammars/c/completion.scm, plus lambdas, range-for and catch as scopes, and class/struct/union
; bodies as @scope.class: fields and declared methods are members (offered after `this->`/`this.`).
; Function definitions' own names (free functions and methods defined in the class body) are not
; captured: the name sits inside the definition's declarator, so it would bind as a local of its
; own body (a name binds outside only when it is a direct child of the scope node). Template
; parameters are not captured: a template is not a scope here (a class name inside it would bind
; in the template instead of beside it).

[(function_definition) (compound_statement) (for_statement) (for_range_loop) (catch_clause)
 (lambda_expression) (preproc_function_def)] @scope
(declaration declarator: (function_declarator) @scope)
(declaration declarator: (pointer_declarator declarator: (function_declarator) @scope))
(declaration declarator: (reference_declarator (function_declarator) @scope))
(field_declaration declarator: (function_declarator) @scope)
(field_declaration_list) @scope.class

(field_declaration declarator: (function_declarator declarator: (field_identifier) @definition.method))
(declaration declarator: (function_declarator declarator: (identifier) @definition.function))
(declaration declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @definition.function)))
(declaration declarator: (reference_declarator (function_declarator declarator: (identifier) @definition.function)))
(preproc_function_def name: (identifier) @definition.function)
(preproc_def name: (identifier) @definition.constant)
(preproc_params (identifier) @definition.parameter)

(class_specifier name: (type_identifier) @definition.class body: (field_declaration_list))
(struct_specifier name: (type_identifier) @definition.class body: (field_declaration_list))
(union_specifier name: (type_identifier) @definition.class body: (field_declaration_list))
(enum_specifier name: (type_identifier) @definition.enum body: (enumerator_list))
(type_definition declarator: (type_identifier) @definition.type)
(alias_declaration name: (type_identifier) @definition.type)
(enumerator name: (identifier) @definition.constant)
(namespace_definition name: (namespace_identifier) @definition.module)
(field_declaration declarator: (field_identifier) @definition.field)
(field_declaration declarator: (_ declarator: (field_identifier) @definition.field))
(field_declaration declarator: (reference_declarator (field_identifier) @definition.field))

(parameter_declaration declarator: (identifier) @definition.parameter)
(parameter_declaration declarator: (_ declarator: (identifier) @definition.parameter))
(parameter_declaration declarator: (_ declarator: (_ declarator: (identifier) @definition.parameter)))
(parameter_declaration declarator: (reference_declarator (identifier) @definition.parameter))
(optional_parameter_declaration declarator: (identifier) @definition.parameter)
(optional_parameter_declaration declarator: (reference_declarator (identifier) @definition.parameter))

(declaration declarator: (identifier) @definition.variable)
(declaration declarator: (_ declarator: (identifier) @definition.variable))
(declaration declarator: (_ declarator: (_ declarator: (identifier) @definition.variable)))
(init_declarator declarator: (identifier) @definition.variable)
(init_declarator declarator: (_ declarator: (identifier) @definition.variable))
(init_declarator declarator: (_ declarator: (_ declarator: (identifier) @definition.variable)))
(init_declarator declarator: (reference_declarator (identifier) @definition.variable))
(for_range_loop declarator: (identifier) @definition.variable)
(for_range_loop declarator: (reference_declarator (identifier) @definition.variable))
(structured_binding_declarator (identifier) @definition.variable)

(comment) @skip.comment
[(string_literal) (raw_string_literal) (char_literal) (system_lib_string)] @skip.string
