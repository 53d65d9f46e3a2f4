"""Excel exports of the directories (django-import-export resources; written by core.importing.export_xlsx,
which keeps every text cell a string so nothing in a name can run as a formula)."""

from import_export import fields, resources

from core.importing import export_xlsx


class InstitutionResource(resources.Resource):
    name = fields.Field(attribute="name", column_name="机构名称")
    credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码")
    type = fields.Field(attribute="get_type_display", column_name="机构类型")
    county = fields.Field(attribute="county__full_name", column_name="所在县（市、区）")
    address = fields.Field(attribute="address", column_name="地址")
    contact_person = fields.Field(attribute="contact_person", column_name="联系人")
    contact_phone = fields.Field(attribute="contact_phone", column_name="联系电话")
    license_number = fields.Field(attribute="license_number", column_name="办学许可证号")
    license_valid_until = fields.Field(attribute="license_valid_until", column_name="许可证有效期至")
    capacity = fields.Field(attribute="capacity", column_name="培训能力（人/期）")
    status = fields.Field(attribute="get_status_display", column_name="认定状态")
    designated_since = fields.Field(attribute="designated_since", column_name="认定生效日")
    last_class_on = fields.Field(attribute="last_class_on", column_name="最近开班日期")
    title = "培训机构"


class ProgramResource(resources.Resource):
    institution = fields.Field(attribute="institution__name", column_name="培训机构")
    credit_code = fields.Field(attribute="institution__credit_code", column_name="机构统一社会信用代码")
    county = fields.Field(attribute="institution__county__name", column_name="所在县（市、区）")
    occupation_code = fields.Field(attribute="occupation__code", column_name="职业编码")
    occupation = fields.Field(attribute="occupation__name", column_name="职业（工种）")
    skill_level = fields.Field(attribute="skill_level__name", column_name="技能等级")
    training_type = fields.Field(attribute="training_type__name", column_name="培训类型")
    mode = fields.Field(attribute="get_mode_display", column_name="培训方式")
    theory_hours = fields.Field(attribute="theory_hours", column_name="理论课时")
    practice_hours = fields.Field(attribute="practice_hours", column_name="实操课时")
    fee = fields.Field(attribute="fee", column_name="培训费（元/人）")
    status = fields.Field(attribute="get_status_display", column_name="目录状态")
    listed_on = fields.Field(attribute="listed_on", column_name="列入日期")
    title = "培训项目目录"


def export_queryset(resource: resources.Resource, queryset) -> bytes:
    dataset = resource.export(queryset=queryset)
    return export_xlsx(list(dataset.headers), dataset, title=resource.title)
