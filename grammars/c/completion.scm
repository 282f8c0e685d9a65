; Completion facts for C (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Function definitions, compound statements and `for` are scopes; a prototype's parameter list is
; one too (its parameter names bind nowhere else). A function definition's own name is not captured:
; it sits inside the definition's declarator, and a name binds outside its scope only when it is a
; direct child of the scope node, so it would be bound as a local of its own body. Prototypes
; (`int f(int);`) do bind their name at file level. Struct/union bodies are @scope.class (fields).

[(function_definition) (compound_statement) (for_statement) (preproc_function_def)] @scope
(declaration declarator: (function_declarator) @scope)
(declaration declarator: (pointer_declarator declarator: (function_declarator) @scope))
(field_declaration_list) @scope.class

(declaration declarator: (function_declarator declarator: (identifier) @definition.function))
(declaration declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @definition.function)))
(preproc_function_def name: (identifier) @definition.function)
(preproc_def name: (identifier) @definition.constant)
(preproc_params (identifier) @definition.parameter)

(struct_specifier name: (type_identifier) @definition.class body: (field_declaration_list))
(union_specifier name: (type_identifier) @definition.class body: (field_declaration_list))
(enum_specifier name: (type_identifier) @definition.enum body: (enumerator_list))
(type_definition declarator: (type_identifier) @definition.type)
(type_definition declarator: (pointer_declarator declarator: (type_identifier) @definition.type))
(enumerator name: (identifier) @definition.constant)
(field_declaration declarator: (field_identifier) @definition.field)
(field_declaration declarator: (_ declarator: (field_identifier) @definition.field))

(parameter_declaration declarator: (identifier) @definition.parameter)
(parameter_declaration declarator: (_ declarator: (identifier) @definition.parameter))
(parameter_declaration declarator: (_ declarator: (_ declarator: (identifier) @definition.parameter)))

(declaration declarator: (identifier) @definition.variable)
(declaration declarator: (_ declarator: (identifier) @definition.variable))
(declaration declarator: (_ declarator: (_ declarator: (identifier) @definition.variable)))
(init_declarator declarator: (identifier) @definition.variable)
(init_declarator declarator: (_ declarator: (identifier) @definition.variable))
(init_declarator declarator: (_ declarator: (_ declarator: (identifier) @definition.variable)))

(comment) @skip.comment
[(string_literal) (char_literal) (system_lib_string)] @skip.string
