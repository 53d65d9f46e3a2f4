from django.utils.translation import gettext_lazy as _

from core.menu import entry

entry(_("培训机构"), "institutions:list", permission="institution.list", order=20, group="directories")
entry(_("本机构"), "institutions:mine", permission="institution.view_own", order=30, group="directories")
entry(_("培训项目目录"), "institutions:programs", permission="program.list", order=40, group="directories")
entry(_("急需紧缺职业"), "institutions:urgent_lists", permission="urgent_list.list", order=50, group="directories")
entry(_("重点领域"), "institutions:key_areas", permission="key_area.manage", order=55, group="directories")
