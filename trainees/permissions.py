"""The trainees app's named permissions (core.policy).

Who reaches a person is the register's own scope (trainees.selectors.trainee_list: bureau users by the regions
where the person registered, enrolled or trained; institution users by their own trainees); the object
permissions below ask it for one person."""

import rules

from accounts.predicates import is_admin, is_bureau, is_deciding_bureau, is_institution, region_within_scope
from core.policy import permission


@rules.predicate
def trainee_in_scope(user, trainee) -> bool:
    """The person is in the user's register scope (asked without a person: True)."""
    if trainee is None:
        return True
    from .selectors import trainee_list

    return trainee_list(user=user).filter(pk=trainee.pk).exists()


is_reader = is_bureau | is_admin | is_institution

permission("trainee.list", is_reader)
permission("trainee.view", is_reader & trainee_in_scope)
# Registering a person by real name (object: the county of registration).
permission("trainee.register", is_deciding_bureau & region_within_scope(""))
# Categories and certificates of a person (object: Trainee).
permission("trainee.record", is_deciding_bureau & trainee_in_scope)
permission("certificate.import", is_deciding_bureau)
# One full value (ID number, phone, bank account) of a person, audited (object: Trainee).
permission("trainee.reveal", is_deciding_bureau & trainee_in_scope)
permission("trainee.export_full", is_deciding_bureau)
# The whole archive of a person; an institution user sees only the trainings with its own institution.
permission("trainee.view_all_records", ~is_institution | is_admin)
