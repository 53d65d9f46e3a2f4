class DomainError(Exception):
    """A business rule refused the action. The message is for the user (Chinese) and says how to fix it.

    `field` names the form field or Excel column at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)  # a lazy translation is rendered in the active language
