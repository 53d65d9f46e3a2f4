from django.contrib.auth.password_validation import MinimumLengthValidator as BaseMinimumLengthValidator
from django.utils.translation import gettext as _


class MinimumLengthValidator(BaseMinimumLengthValidator):
    """Django's own, with a message Django's Chinese catalogue lacks for its plural form."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
