"""Security: session versions, attempt start rules decided by the database, one completion a day.

Existing rows are brought in line before the constraints are created: each attempt gets its
number within its day (in start order); of several attempts left open for one person and quiz
(possible before this revision, through simultaneous starts) only the latest keeps the open slot
and the others are closed as expired; of several completions of one course on one day (earned
through those extra attempts) the first is kept and the later ones are removed.

Revision ID: 6bd17b715b9e
Revises: 7121a0c2f339
Create Date: 2026-12-02 07:36:49.201929

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6bd17b715b9e'
down_revision = '7121a0c2f339'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('open_slot', sa.Boolean(), nullable=True))

    op.execute(
        """
        UPDATE attempts SET day_seq = (
            SELECT COUNT(*) FROM attempts AS earlier
            WHERE earlier.person_id = attempts.person_id
              AND earlier.quiz_id = attempts.quiz_id
              AND earlier.started_on = attempts.started_on
              AND earlier.id <= attempts.id
        )
        """
    )
    open_attempts = """
        attempts.expired_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM attempt_results r WHERE r.attempt_id = attempts.id)
    """
    op.execute(
        f"""
        UPDATE attempts SET open_slot = TRUE
        WHERE {open_attempts}
          AND attempts.id = (
            SELECT MAX(other.id) FROM attempts AS other
            WHERE other.person_id = attempts.person_id AND other.quiz_id = attempts.quiz_id
              AND other.expired_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM attempt_results r WHERE r.attempt_id = other.id)
          )
        """
    )
    op.execute(
        f"UPDATE attempts SET expired_at = started_at WHERE {open_attempts} AND open_slot IS NULL"
    )
    op.execute(
        """
        DELETE FROM completions WHERE EXISTS (
            SELECT 1 FROM completions AS first
            WHERE first.person_id = completions.person_id
              AND first.course_id = completions.course_id
              AND first.completed_on = completions.completed_on
              AND first.id < completions.id
        )
        """
    )

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.alter_column('day_seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_attempts_day_seq', ['person_id', 'quiz_id', 'started_on', 'day_seq'])
        batch_op.create_unique_constraint('uq_attempts_open_slot', ['person_id', 'quiz_id', 'open_slot'])

    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_completions_person_course_day', ['person_id', 'course_id', 'completed_on'])


def downgrade() -> None:
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_completions_person_course_day', type_='unique')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_attempts_open_slot', type_='unique')
        batch_op.drop_constraint('uq_attempts_day_seq', type_='unique')
        batch_op.drop_column('open_slot')
        batch_op.drop_column('day_seq')

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('session_version')
