"""Demo users: one per role around 绥化市 (Suihua, Heilongjiang). Logins are listed in README.md."""

from catalog.models import Region

from .models import Role, User

DEMO_PASSWORD = "Peixun@2026"

# username, name, role, region code
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN, None),
    ("province", "省人社厅 李明", Role.PROVINCE, "23"),
    ("suihua", "绥化市人社局 王芳", Role.CITY, "2312"),
    ("beilin", "北林区人社局 张伟", Role.COUNTY, "231202"),
    ("anda", "安达市人社局 刘洋", Role.COUNTY, "231281"),
    ("finance", "绥化市财政局 陈静", Role.FINANCE, "2312"),
    ("institution", "培训机构 赵磊", Role.INSTITUTION, None),
    ("anda_school", "安达市鑫达职业培训学校 孙丽", Role.INSTITUTION, None),  # runs the class in training in 安达市
    ("city_center", "绥化市就业训练中心 周强", Role.INSTITUTION, None),  # 市直: its finished class counts for 市本级
]


def seed(stdout):
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for *_, c in DEMO_USERS if c])}
    for username, name, role, code in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        user.name, user.role, user.region = name, role, regions.get(code)
        user.is_staff = user.is_superuser = role == Role.ADMIN
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
    stdout.write(f"demo users ready (password {DEMO_PASSWORD}): " + ", ".join(u[0] for u in DEMO_USERS))
