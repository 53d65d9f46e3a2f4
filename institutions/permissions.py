"""The institutions app's named permissions (core.policy).

Asked without an object they answer "may this user do this at all" (menus, page access); services ask again with
the object, so a bureau decides only in its own region and an institution edits only itself."""

from accounts.predicates import (
    institution_is_own,
    is_admin,
    is_bureau,
    is_deciding_bureau,
    is_institution,
    is_province,
    region_is_own,
    region_within_scope,
)
from core.policy import permission

# --- the directory of institutions (object: Institution) ----------------------------------------------
own_institution = is_institution & institution_is_own("")
decides_institution = is_deciding_bureau & region_within_scope("county")

permission("institution.list", is_bureau | is_admin)  # the bureau's list page
permission("institution.view_own", is_institution)  # "本机构" in the menu
permission(
    "institution.view",
    ((is_bureau | is_admin) & region_within_scope("county")) | own_institution,
)
# Register applications, move the designation workflow, record inspections, edit every field directly.
permission("institution.decide", decides_institution)
# An institution's own contact fields, teachers and venues (key fields go through a change request).
permission("institution.edit_own", own_institution)
permission("institution.edit", decides_institution | own_institution)
# Profile change requests (object: ProfileChangeRequest).
permission("change_request.decide", is_deciding_bureau & region_within_scope("institution.county"))

# --- the program directory (object: Program) ----------------------------------------------------------
permission("program.list", is_bureau | is_admin | is_institution)
permission("program.decide", is_deciding_bureau & region_within_scope("institution.county"))

# --- urgent-shortage lists (object: the Region a list is published for) -------------------------------
permission("urgent_list.list", is_bureau | is_admin)
permission("urgent_list.publish", is_bureau & region_is_own(""))

# --- key-area tags of occupations and programs (重点领域, the province's plan; no object) ---------------
permission("key_area.manage", is_province)
