"""The private journal: one person's entries, kept outside every vault and repository.

Only `openbook.commands.journal` imports this package (an import-linter contract), so no
command of the shared vault can read, count or mention the journal.
"""
