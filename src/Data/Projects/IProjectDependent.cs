namespace Catalyst.Data.Projects;

/// <summary>
/// A part that keeps rows pointing at projects (assets, chat sessions, marketplace packages). The
/// project service tells every registered dependent about an update or a delete in the same unit
/// of work, so that projects never have to know the parts built on them.
/// </summary>
public interface IProjectDependent
{
    /// <summary>Before an update of a project is saved (the project is tracked with its new values).</summary>
    Task ProjectUpdatingAsync(Project project, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Before a delete is saved: record what the delete changes for the dependent's own rows (feed entries, search).</summary>
    Task ProjectDeletingAsync(Guid projectId, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Inside the delete's transaction: detach or release the rows that point at the project.</summary>
    Task ProjectDeletedAsync(Guid projectId, CancellationToken ct) => Task.CompletedTask;
}
