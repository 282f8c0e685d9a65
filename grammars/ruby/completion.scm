; Completion facts (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Comments and strings only for now: words and member pairs come from the code around them.

(comment) @skip.comment
[(string) (heredoc_body)] @skip.string
(interpolation) @skip.hole
