"""Province settings: what the province publishes for its staff (where to report an incident,
its document and mail systems, the bodies in charge), filled into lessons and questions that
write {{province.NAME}}. A row exists only for a published setting.

Revision ID: 3d1860fc673b
Revises: 3e7d4184f62f
Create Date: 2026-12-02 16:01:29.752101

"""
from alembic import op
import sqlalchemy as sa

import training.db


# revision identifiers, used by Alembic.
revision = '3d1860fc673b'
down_revision = '3e7d4184f62f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('province_settings',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('value_en', sa.Text(), nullable=True),
    sa.Column('updated_at', training.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['people.id'], name=op.f('fk_province_settings_updated_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_province_settings'))
    )


def downgrade() -> None:
    op.drop_table('province_settings')
