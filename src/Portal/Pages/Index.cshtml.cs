using Catalyst.Data.Common;
using Catalyst.Data.Jobs;
using Catalyst.Data.Projects;
using Catalyst.Portal.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Catalyst.Portal.Pages;

public class IndexModel(ProjectService projects, JobRunService jobs) : PageModel
{
    public Page<Project> RecentProjects { get; private set; } = null!;
    public Page<JobRun> RecentJobs { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Section"] = "Home";
        var actor = User.ToActor();
        RecentProjects = await projects.ListAsync(actor, new ProjectQuery(), new PageRequest(1, 5), ct);
        RecentJobs = await jobs.ListAsync(actor, new JobRunQuery(), new PageRequest(1, 5), ct);
    }
}
