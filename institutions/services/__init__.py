"""Every write of the institutions app. Import from the submodules: institutions, programs, urgent_lists."""
