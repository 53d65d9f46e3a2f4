"""The directory's pages, one module per subject: institutions, programs, urgent_lists, imports."""
