from import_export import fields, resources, widgets

from .models import Occupation, Region


class OccupationResource(resources.ModelResource):
    """The official occupation list (职业分类大典) from Excel: 职业编码, 职业名称, 类别."""

    code = fields.Field(attribute="code", column_name="职业编码")
    name = fields.Field(attribute="name", column_name="职业名称")
    category = fields.Field(attribute="category", column_name="类别")
    required_columns = ["职业名称"]

    class Meta:
        model = Occupation
        import_id_fields = ["code"]
        fields = ["code", "name", "category"]
        clean_model_instances = True
        skip_unchanged = True


class ChoiceLabelWidget(widgets.Widget):
    """Reads a choice by its Chinese label (县级) or its value (county)."""

    def __init__(self, choices):
        super().__init__()
        self.by_label = {str(label): value for value, label in choices}
        self.values = {value for value, _ in choices}

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if value in self.values:
            return value
        if value in self.by_label:
            return self.by_label[value]
        raise ValueError(f"应为：{'、'.join(self.by_label)}")

    def render(self, value, obj=None, **kwargs):
        return {v: k for k, v in self.by_label.items()}.get(value, value)


class RegionForeignKeyWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(str(value).strip() if value else value, row, **kwargs)
        except Region.DoesNotExist:
            raise ValueError(f"上级区划代码 {value} 不存在") from None


class RegionResource(resources.ModelResource):
    """New or corrected divisions: 区划代码, 名称, 层级 (省级/地市级/县级), 上级代码, 统计区 (1/0)."""

    code = fields.Field(attribute="code", column_name="区划代码")
    name = fields.Field(attribute="name", column_name="名称")
    level = fields.Field(attribute="level", column_name="层级", widget=ChoiceLabelWidget(Region.Level.choices))
    parent = fields.Field(attribute="parent", column_name="上级代码", widget=RegionForeignKeyWidget(Region, "code"))
    is_statistical = fields.Field(attribute="is_statistical", column_name="统计区", widget=widgets.BooleanWidget())
    required_columns = ["名称", "层级"]

    class Meta:
        model = Region
        import_id_fields = ["code"]
        fields = ["code", "name", "level", "parent", "is_statistical"]
        clean_model_instances = True
        skip_unchanged = True
