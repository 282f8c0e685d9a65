; Completion facts for Bash (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; A function body is the only scope, and only `local`/`declare`/`typeset` bind in it; a plain
; assignment or `for` variable is global in the shell even inside a function, and a pattern cannot
; tell a top-level one, so plain assignments are not captured (they still count as words).
; Functions are global; a function's name is a direct child of its scope node and binds beside it.

(function_definition) @scope

(function_definition name: (word) @definition.function)
(declaration_command (variable_assignment name: (variable_name) @definition.variable))
(declaration_command (variable_name) @definition.variable)

(comment) @skip.comment
[(raw_string) (heredoc_body)] @skip.string
